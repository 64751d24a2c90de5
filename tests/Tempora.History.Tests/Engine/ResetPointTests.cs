// The binary checksum and the legacy stamp are deprecated in the API, still what 1.28 records in reset points.
#pragma warning disable CS0612
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Tests.Engine;

/// <summary>
/// A run's auto-reset points, as 1.28 keeps them: the first workflow task each (binary checksum, build id) completed,
/// set from events (the rebuild check runs on every commit), handed to the next run by continue-as-new.
/// </summary>
public sealed class ResetPointTests
{
    [Fact]
    public async Task Completions_OnePointPerBuildIdAndChecksum_AtItsFirstCompletedTask()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        await CompleteAsync(h, "a", "", Timer("t1"));
        await h.SignalAsync(run);
        await CompleteAsync(h, "a", "");
        await h.SignalAsync(run);
        await CompleteAsync(h, "b", "sum-b");

        var completed = (await h.HistoryAsync(run)).Where(e => e.EventType == EventType.WorkflowTaskCompleted).ToList();
        var info = (await h.DescribeAsync(run)).WorkflowExecutionInfo;
        Assert.Equal(
            [("", "a", run.RunId, completed[0].EventId, true), ("sum-b", "b", run.RunId, completed[2].EventId, true)],
            info.AutoResetPoints.Points.Select(p => (p.BinaryChecksum, p.BuildId, p.RunId, p.FirstWorkflowTaskCompletedId, p.Resettable)));
        Assert.Equal(completed[2].EventTime, info.AutoResetPoints.Points[1].CreateTime);
        Assert.Equal(["sum-b"], KeywordList(info.SearchAttributes, "BinaryChecksums"));
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task Completion_WhileAChildIsPending_PointIsNotResettable()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        // The child is initiated after the completion that records the first point: that point is still resettable.
        await CompleteAsync(h, "a", "", StartChild($"child-{Guid.NewGuid():N}"));
        await h.SignalAsync(run);
        await CompleteAsync(h, "b", "");

        var points = (await h.DescribeAsync(run)).WorkflowExecutionInfo.AutoResetPoints.Points;
        Assert.Equal([("a", true), ("b", false)], points.Select(p => (p.BuildId, p.Resettable)));
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task ContinueAsNew_NextRunStartsWithThePoints_AndAddsItsOwn()
    {
        await using var h = await EngineHarness.StartAsync();
        var first = await h.StartWorkflowAsync();
        await CompleteAsync(h, "a", "", ContinueAsNew());
        await CompleteAsync(h, "b", "", Timer("t"));

        var latest = new WorkflowExecution { WorkflowId = first.WorkflowId };
        var started = (await h.HistoryAsync(latest))[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(first.RunId, started.ContinuedExecutionRunId);
        Assert.Equal([("a", first.RunId)], started.PrevAutoResetPoints.Points.Select(p => (p.BuildId, p.RunId)));
        // The finished run's points stay usable while retention keeps the run: from its close, the namespace's retention.
        var closed = (await h.HistoryAsync(first)).Last();
        var retention = h.Namespace.Config.WorkflowExecutionRetentionTtl.ToTimeSpan();
        Assert.Equal(closed.EventTime.ToDateTimeOffset() + retention, started.PrevAutoResetPoints.Points[0].ExpireTime.ToDateTimeOffset());
        var info = (await h.DescribeAsync(latest)).WorkflowExecutionInfo;
        Assert.Equal([("a", first.RunId), ("b", info.Execution.RunId)], info.AutoResetPoints.Points.Select(p => (p.BuildId, p.RunId)));
        Assert.Null(info.AutoResetPoints.Points[1].ExpireTime); // the running run's own point: no expiry yet
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task ContinueAsNew_PointsExpiredByThen_AreNotHandedOn()
    {
        await using var h = await EngineHarness.StartAsync();
        var first = await h.StartWorkflowAsync();
        await CompleteAsync(h, "a", "", ContinueAsNew());
        var retention = h.Namespace.Config.WorkflowExecutionRetentionTtl.ToTimeSpan();
        // The second run outlives the first run's retention, then continues as new too.
        await CompleteAsync(h, "b", "", Timer("t"));
        h.Clock.Advance(retention + TimeSpan.FromMinutes(1));
        var second = new WorkflowExecution { WorkflowId = first.WorkflowId };
        await h.SignalAsync(second);
        await CompleteAsync(h, "b", "", ContinueAsNew());

        var started = (await h.HistoryAsync(new WorkflowExecution { WorkflowId = first.WorkflowId }))[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(["b"], started.PrevAutoResetPoints.Points.Select(p => p.BuildId));
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task ManyBuildIds_KeepsTheNewestTwenty()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        for (var i = 1; i <= 22; i++)
        {
            if (i > 1)
            {
                await h.SignalAsync(run);
            }
            await CompleteAsync(h, $"build-{i}", "", i == 1 ? [Timer("t")] : []);
        }

        var points = (await h.DescribeAsync(run)).WorkflowExecutionInfo.AutoResetPoints.Points;
        Assert.Equal(Enumerable.Range(3, 20).Select(i => $"build-{i}"), points.Select(p => p.BuildId));
        Assert.Empty(h.History.RebuildMismatches);
    }

    /// <summary>Completes the waiting workflow task as an unversioned worker stamped with <paramref name="buildId"/>.</summary>
    private static async Task CompleteAsync(EngineHarness h, string buildId, string checksum, params Command[] commands) =>
        await h.CompleteWorkflowTaskAsync(await h.PollWorkflowTaskAsync($"the task for {buildId}"), r =>
        {
            r.WorkerVersionStamp = new WorkerVersionStamp { BuildId = buildId };
            r.BinaryChecksum = checksum;
        }, commands);

    private static Command Timer(string id) => EngineHarness.StartTimer(id, TimeSpan.FromHours(1));

    private static Command StartChild(string id) => new()
    {
        CommandType = CommandType.StartChildWorkflowExecution,
        StartChildWorkflowExecutionCommandAttributes = new StartChildWorkflowExecutionCommandAttributes
        {
            WorkflowId = id,
            WorkflowType = new WorkflowType { Name = "Child" },
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = EngineHarness.TaskQueueName },
        },
    };

    private static Command ContinueAsNew() => new()
    {
        CommandType = CommandType.ContinueAsNewWorkflowExecution,
        ContinueAsNewWorkflowExecutionCommandAttributes = new ContinueAsNewWorkflowExecutionCommandAttributes
        {
            WorkflowType = new WorkflowType { Name = "Timed" },
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
        },
    };

    private static List<string> KeywordList(SearchAttributes attributes, string name) =>
        attributes.IndexedFields.TryGetValue(name, out var p) ? JsonSerializer.Deserialize<List<string>>(p.Data.Span)! : [];
}
