using System.Globalization;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class CombinedFeaturesTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task Orchestrator_ChildActivityTimerSignalAndContinueAsNew_ReturnsAggregate()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = OrchestratorScenario.NewWorker(Client, taskQueue, maxCachedWorkflows: null);

        var outcome = await worker.ExecuteAsync(() => OrchestratorScenario.RunAsync(Client, taskQueue));

        await OrchestratorScenario.AssertOutcomeAsync(Client, outcome);
    }
}

/// <summary>Child workflows, continue-as-new and external signals with the worker cache off: every task replays the full history.</summary>
[Collection(ServerCollection.Name)]
public sealed class NoCacheCrossWorkflowTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task Orchestrator_WorkerCacheDisabled_ReturnsAggregate()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = OrchestratorScenario.NewWorker(Client, taskQueue, maxCachedWorkflows: 0);

        var outcome = await worker.ExecuteAsync(() => OrchestratorScenario.RunAsync(Client, taskQueue));

        await OrchestratorScenario.AssertOutcomeAsync(Client, outcome);
    }

    [Fact]
    public async Task ExecuteChildWorkflow_WorkerCacheDisabled_ParentReturnsChildResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var parentId = ServerFixture.NewWorkflowId("parent");
        using var worker = OrchestratorScenario.NewWorker(Client, taskQueue, maxCachedWorkflows: 0);

        var result = await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync((ParentOfEchoWorkflow wf) => wf.RunAsync(ServerFixture.NewWorkflowId("child"), "replayed"), new(parentId, taskQueue))
                .WithTimeout("parent of an echo child without a worker cache"));

        Assert.Equal($"echo replayed (parent {parentId})", result);
    }

    [Fact]
    public async Task CancelChild_WorkerCacheDisabled_ParentSeesCanceledChild()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = OrchestratorScenario.NewWorker(Client, taskQueue, maxCachedWorkflows: 0);

        var result = await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync(
                (ParentCancelsChildWorkflow wf) => wf.RunAsync(ServerFixture.NewWorkflowId("child")),
                new(ServerFixture.NewWorkflowId("parent"), taskQueue))
                .WithTimeout("parent that cancels its child without a worker cache"));

        Assert.Equal("ChildWorkflowFailureException <- CanceledFailureException", result);
    }

    [Fact]
    public async Task ContinueAsNew_WorkerCacheDisabled_ResultFollowsChain()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId();
        using var worker = OrchestratorScenario.NewWorker(Client, taskQueue, maxCachedWorkflows: 0);

        var (handle, result) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CountdownWorkflow wf) => wf.RunAsync(2), new(workflowId, taskQueue));
            return (h, await h.GetResultAsync().WithTimeout("countdown chain without a worker cache"));
        });

        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.NotEqual(handle.ResultRunId, latest.RunId);
        Assert.StartsWith("done; continued from ", result, StringComparison.Ordinal);
        Assert.Equal(WorkflowExecutionStatus.ContinuedAsNew, (await Client.GetWorkflowHandle(workflowId, runId: handle.ResultRunId).DescribeAsync()).Status);
    }

    [Fact]
    public async Task SignalExternal_WorkerCacheDisabled_TargetCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var targetId = ServerFixture.NewWorkflowId("target");
        using var worker = OrchestratorScenario.NewWorker(Client, taskQueue, maxCachedWorkflows: 0);

        var (senderResult, targetResult) = await worker.ExecuteAsync(async () =>
        {
            var t = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(targetId, taskQueue));
            var s = await Client.StartWorkflowAsync(
                (ExternalSignalSenderWorkflow wf) => wf.RunAsync(targetId, "replayed signal"), new(ServerFixture.NewWorkflowId("sender"), taskQueue));
            return (await s.GetResultAsync().WithTimeout("sender without a worker cache"), await t.GetResultAsync().WithTimeout("signalled target"));
        });

        Assert.Equal("sent", senderResult);
        Assert.Equal("replayed signal", targetResult);
    }
}

/// <summary>The orchestrator scenario shared by the cached and uncached test classes.</summary>
internal static class OrchestratorScenario
{
    /// <summary>What one run of the scenario produced.</summary>
    public sealed record Outcome(string WorkflowId, string FirstRunId, string TargetId, string Result, string TargetResult);

    /// <summary>A worker for every workflow the cross-workflow scenarios use.</summary>
    public static TemporalWorker NewWorker(TemporalClient client, string taskQueue, int? maxCachedWorkflows)
    {
        var options = new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<OrchestratorWorkflow>()
            .AddWorkflow<EchoChildWorkflow>()
            .AddWorkflow<ParentOfEchoWorkflow>()
            .AddWorkflow<ParentCancelsChildWorkflow>()
            .AddWorkflow<LongSleepWorkflow>()
            .AddWorkflow<CountdownWorkflow>()
            .AddWorkflow<ExternalSignalSenderWorkflow>()
            .AddWorkflow<WaitForFinishWorkflow>()
            .AddAllActivities(new GreetingActivities());
        if (maxCachedWorkflows is { } max)
        {
            options.MaxCachedWorkflows = max;
        }

        return new TemporalWorker(client, options);
    }

    /// <summary>Starts a signal target and the orchestrator, and waits for both results.</summary>
    public static async Task<Outcome> RunAsync(TemporalClient client, string taskQueue)
    {
        var targetId = ServerFixture.NewWorkflowId("target");
        var workflowId = ServerFixture.NewWorkflowId("orchestrator");
        var target = await client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(targetId, taskQueue));
        var handle = await client.StartWorkflowAsync(
            (OrchestratorWorkflow wf) => wf.RunAsync(new OrchestratorInput(targetId, 0, string.Empty)), new(workflowId, taskQueue));
        try
        {
            var result = await handle.GetResultAsync().WithTimeout("orchestrator chain");
            var targetResult = await target.GetResultAsync().WithTimeout("orchestrator's signal target");
            return new Outcome(workflowId, handle.ResultRunId!, targetId, result, targetResult);
        }
        catch (TimeoutException e)
        {
            // Rare on a loaded two-replica pass: say where the chain stood, so the log shows which task was late.
            throw new TimeoutException(e.Message + Environment.NewLine + await DescribeRunsAsync(client, workflowId, targetId), e);
        }
    }

    /// <summary>Every run of the scenario's workflows (children included) with its status and event timeline.</summary>
    private static async Task<string> DescribeRunsAsync(TemporalClient client, string workflowId, string targetId)
    {
        var text = new System.Text.StringBuilder();
        // Children are named after the orchestrator ("<id>-child-N").
        await foreach (var run in client.ListWorkflowsAsync($"WorkflowId STARTS_WITH '{workflowId}' OR WorkflowId = '{targetId}'"))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{run.Id} {run.RunId} {run.Status}");
            await foreach (var e in client.GetWorkflowHandle(run.Id, runId: run.RunId).FetchHistoryEventsAsync())
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {e.EventId} {e.EventTime.ToDateTime():HH:mm:ss.fff} {e.EventType}");
            }
        }
        return text.ToString();
    }

    /// <summary>Checks the aggregate result and the shape of both runs.</summary>
    public static async Task AssertOutcomeAsync(TemporalClient client, Outcome outcome)
    {
        var id = outcome.WorkflowId;
        Assert.Equal(
            $"Hello, combo! | echo first (parent {id}) | signalled | continued=True | Hello, again! + echo second (parent {id}) + timer",
            outcome.Result);
        Assert.Equal("from orchestrator", outcome.TargetResult);

        var firstRun = client.GetWorkflowHandle(id, runId: outcome.FirstRunId);
        Assert.Equal(WorkflowExecutionStatus.ContinuedAsNew, (await firstRun.DescribeAsync()).Status);
        var firstTypes = (await firstRun.EventsAsync()).Types();
        Assert.Contains(EventType.TimerFired, firstTypes);
        Assert.Contains(EventType.ActivityTaskCompleted, firstTypes);
        Assert.Contains(EventType.ChildWorkflowExecutionCompleted, firstTypes);
        Assert.Contains(EventType.ExternalWorkflowExecutionSignaled, firstTypes);
        Assert.Equal(EventType.WorkflowExecutionContinuedAsNew, firstTypes[^1]);

        var secondRun = client.GetWorkflowHandle(id);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await secondRun.DescribeAsync()).Status);
        var secondEvents = await secondRun.EventsAsync();
        Assert.Equal(outcome.FirstRunId, secondEvents[0].WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId);
        var secondTypes = secondEvents.Types();
        Assert.Equal(2, secondTypes.Count(t => t is EventType.ChildWorkflowExecutionCompleted or EventType.ActivityTaskCompleted));
        Assert.Contains(EventType.TimerFired, secondTypes);
        Assert.Equal(EventType.WorkflowExecutionCompleted, secondTypes[^1]);
        Assert.Equal(
            Enumerable.Range(1, secondEvents.Count).Select(i => (long)i),
            secondEvents.Select(e => e.EventId));
    }
}

/// <summary>Input of <see cref="OrchestratorWorkflow"/>.</summary>
public sealed record OrchestratorInput(string TargetId, int Iteration, string Accumulated);

/// <summary>
/// Run 1: timer, activity, child, external signal, then continue-as-new. Run 2: activity, child and timer in
/// parallel; returns everything it gathered.
/// </summary>
[Workflow]
public sealed class OrchestratorWorkflow
{
    private static readonly ActivityOptions Activity = new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) };

    [WorkflowRun]
    public async Task<string> RunAsync(OrchestratorInput input)
    {
        if (input.Iteration == 0)
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(200));
            var greeting = await Workflow.ExecuteActivityAsync((GreetingActivities a) => a.SayHello("combo"), Activity);
            var child = await Workflow.ExecuteChildWorkflowAsync(
                (EchoChildWorkflow wf) => wf.RunAsync("first"), new() { Id = $"{Workflow.Info.WorkflowId}-child-1" });
            await Workflow.GetExternalWorkflowHandle<WaitForFinishWorkflow>(input.TargetId).SignalAsync(wf => wf.FinishAsync("from orchestrator"));
            var next = input with { Iteration = 1, Accumulated = $"{greeting} | {child} | signalled" };
            throw Workflow.CreateContinueAsNewException((OrchestratorWorkflow wf) => wf.RunAsync(next));
        }

        var activity = Workflow.ExecuteActivityAsync((GreetingActivities a) => a.SayHello("again"), Activity);
        var secondChild = Workflow.ExecuteChildWorkflowAsync(
            (EchoChildWorkflow wf) => wf.RunAsync("second"), new() { Id = $"{Workflow.Info.WorkflowId}-child-2" });
        var timer = Workflow.DelayAsync(TimeSpan.FromMilliseconds(100));
        await Workflow.WhenAllAsync(activity, secondChild, timer);
        return $"{input.Accumulated} | continued={Workflow.Info.ContinuedRunId is not null} | {await activity} + {await secondChild} + timer";
    }
}
