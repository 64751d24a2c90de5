using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using PinnedBehavior = Temporalio.Api.Workflow.V1.VersioningOverride.Types.PinnedOverrideBehavior;

namespace Tempora.History.Tests.Engine;

/// <summary>
/// Run-level worker versioning on the engine (the rebuild check runs on every commit): what a completion records, the
/// directive on the run's tasks, the misroute guard at a task's start, overrides and inheritance.
/// </summary>
public sealed class VersioningTests
{
    private static readonly DeploymentVersion V1 = new("dep", "b1");
    private static readonly DeploymentVersion V2 = new("dep", "b2");

    [Fact]
    public async Task PinnedCompletion_RecordsEventFields_VersioningInfo_SearchAttributes()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), Versioned(V1, VersioningBehavior.Pinned),
            Timer("t"));

        var completed = (await h.HistoryAsync(run)).Single(e => e.EventType == EventType.WorkflowTaskCompleted).WorkflowTaskCompletedEventAttributes;
        Assert.Equal("dep", completed.WorkerDeploymentName);
        Assert.Equal(V1, DeploymentVersion.FromProto(completed.DeploymentVersion));
        Assert.Equal(VersioningBehavior.Pinned, completed.VersioningBehavior);

        var info = (await h.DescribeAsync(run)).WorkflowExecutionInfo;
        Assert.Equal(VersioningBehavior.Pinned, info.VersioningInfo.Behavior);
        Assert.Equal(V1, DeploymentVersion.FromProto(info.VersioningInfo.DeploymentVersion));
#pragma warning disable CS0612, CS0618
        Assert.Equal("dep.b1", info.VersioningInfo.Version);
#pragma warning restore CS0612, CS0618
        Assert.Equal("dep", info.WorkerDeploymentName);
        Assert.Equal(["pinned:dep:b1", "unversioned:b1"], KeywordList(info.SearchAttributes, "BuildIds"));
        Assert.Equal("dep", Keyword(info.SearchAttributes, "TemporalWorkerDeployment"));
        Assert.Equal("dep:b1", Keyword(info.SearchAttributes, "TemporalWorkerDeploymentVersion"));
        Assert.Equal("Pinned", Keyword(info.SearchAttributes, "TemporalWorkflowVersioningBehavior"));
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task UnversionedCompletion_IgnoresBehavior_AndClearsTheVersion()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), Versioned(V1, VersioningBehavior.AutoUpgrade), Timer("t"));
        await h.SignalAsync(run);
        // A worker with versioning off that still sends its default behavior: 1.28 records no behavior and no version.
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), r =>
        {
            r.DeploymentOptions = new WorkerDeploymentOptions { DeploymentName = "dep", BuildId = "b9", WorkerVersioningMode = WorkerVersioningMode.Unversioned };
            r.VersioningBehavior = VersioningBehavior.Pinned;
        });
        var last = (await h.HistoryAsync(run)).Last(e => e.EventType == EventType.WorkflowTaskCompleted).WorkflowTaskCompletedEventAttributes;
        Assert.Equal((VersioningBehavior.Unspecified, null, "dep"), (last.VersioningBehavior, last.DeploymentVersion, last.WorkerDeploymentName));
        var info = (await h.DescribeAsync(run)).WorkflowExecutionInfo;
        Assert.Equal(VersioningBehavior.Unspecified, info.VersioningInfo.Behavior);
        Assert.Null(info.VersioningInfo.DeploymentVersion);
        Assert.Equal("", Keyword(info.SearchAttributes, "TemporalWorkflowVersioningBehavior"));
        Assert.Equal("unversioned", KeywordList(info.SearchAttributes, "BuildIds")[0]);
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task DeprecatedDeploymentField_NamesTheVersion_As128Reads()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
#pragma warning disable CS0612, CS0618
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), r =>
        {
            r.Deployment = new Deployment { SeriesName = "dep", BuildId = "b1" };
            r.VersioningBehavior = VersioningBehavior.Pinned;
        }, Timer("t"));
#pragma warning restore CS0612, CS0618
        var completed = (await h.HistoryAsync(run)).Single(e => e.EventType == EventType.WorkflowTaskCompleted).WorkflowTaskCompletedEventAttributes;
        Assert.Equal(("dep", V1, VersioningBehavior.Pinned),
            (completed.WorkerDeploymentName, DeploymentVersion.FromProto(completed.DeploymentVersion), completed.VersioningBehavior));
        Assert.Equal(VersioningBehavior.Pinned, (await h.DescribeAsync(run)).WorkflowExecutionInfo.VersioningInfo.Behavior);
    }

    [Fact]
    public async Task PinnedRun_TasksCarryTheDirective_IndependentActivityDoesNot()
    {
        var routing = new FakeRouting { Unregistered = { ("other-tq", TaskKind.Activity) } };
        await using var h = await EngineHarness.StartAsync(routing);
        var run = await h.StartWorkflowAsync();
        var first = await h.TakeTaskAsync(TaskKind.Workflow, "the first workflow task");
        Assert.Null(first.PinnedTo); // an unversioned run: routed by the queue
        var started = await h.History.RecordWorkflowTaskStartedAsync(h.Namespace, first, Poll(null), CancellationToken.None);
        await h.CompleteWorkflowTaskAsync(started!, Versioned(V1, VersioningBehavior.Pinned),
            Activity("same"),
            Activity("independent", "other-tq"));

        var activity = await h.TakeTaskAsync(TaskKind.Activity, "the activity on the run's queue");
        Assert.Equal(V1, activity.PinnedTo);
        Assert.Null(await InspectActivityOn(h, "other-tq"));
        await h.SignalAsync(run);
        Assert.Equal(V1, (await h.TakeTaskAsync(TaskKind.Workflow, "the signal's workflow task")).PinnedTo);
    }

    [Fact]
    public async Task PinnedRun_TaskStartOnAnotherPoller_IsMisrouted_AndLeavesTheRunAlone()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), Versioned(V1, VersioningBehavior.Pinned),
            Activity("a"));
        var activity = await h.TakeTaskAsync(TaskKind.Activity, "the activity");
        await h.SignalAsync(run);
        var wft = await h.TakeTaskAsync(TaskKind.Workflow, "the signal's workflow task");

        foreach (var poller in new[] { null, V2 })
        {
            var refused = await Assert.ThrowsAsync<TaskMisroutedException>(() =>
                h.History.RecordWorkflowTaskStartedAsync(h.Namespace, wft, Poll(poller), CancellationToken.None));
            Assert.Equal(V1, refused.PinnedTo);
            var refusedActivity = await Assert.ThrowsAsync<TaskMisroutedException>(() => h.History.RecordActivityTaskStartedAsync(h.Namespace, activity,
                new PollActivityTaskQueueRequest { Namespace = h.Namespace.Name, Identity = "w", DeploymentOptions = Options(poller) }, CancellationToken.None));
            Assert.Equal(V1, refusedActivity.PinnedTo);
        }
        var pending = await h.DescribeAsync(run);
        Assert.Equal(PendingWorkflowTaskState.Scheduled, pending.PendingWorkflowTask.State);
        Assert.Equal(PendingActivityState.Scheduled, Assert.Single(pending.PendingActivities).State);

        Assert.NotNull(await h.History.RecordWorkflowTaskStartedAsync(h.Namespace, wft, Poll(V1), CancellationToken.None));
        Assert.NotNull(await h.History.RecordActivityTaskStartedAsync(h.Namespace, activity,
            new PollActivityTaskQueueRequest { Namespace = h.Namespace.Name, Identity = "w", DeploymentOptions = Options(V1) }, CancellationToken.None));
    }

    [Fact]
    public async Task StartWithPinnedOverride_DeprecatedForm_IsStoredInV032Form_AndPinsTheFirstTask()
    {
        await using var h = await EngineHarness.StartAsync();
#pragma warning disable CS0612, CS0618
        var run = await h.StartWorkflowAsync(r => r.VersioningOverride = new VersioningOverride { Behavior = VersioningBehavior.Pinned, PinnedVersion = "dep.b1" });
#pragma warning restore CS0612, CS0618
        var started = (await h.HistoryAsync(run))[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(PinnedOverride(V1), started.VersioningOverride);
        Assert.Equal(V1, (await h.TakeTaskAsync(TaskKind.Workflow, "the first workflow task")).PinnedTo);
        var info = (await h.DescribeAsync(run)).WorkflowExecutionInfo;
        Assert.Equal(PinnedOverride(V1), info.VersioningInfo.VersioningOverride);
        Assert.Equal("dep", info.WorkerDeploymentName);
        Assert.Equal(["pinned:dep:b1"], KeywordList(info.SearchAttributes, "BuildIds"));
        Assert.Equal("Pinned", Keyword(info.SearchAttributes, "TemporalWorkflowVersioningBehavior"));
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Theory]
    [InlineData("pinned-without-version", "must provide version if override is pinned.")]
    [InlineData("pinned-without-behavior", "must specify pinned override behavior if override is pinned.")]
    [InlineData("no-behavior", "override behavior is required")]
    [InlineData("bad-string", "invalid version string \"nodot\", expected format is \"<deployment_name>.<build_id>\"")]
    public void InvalidOverride_IsRefusedInTemporalsWords(string which, string message)
    {
#pragma warning disable CS0612, CS0618
        var o = which switch
        {
            "pinned-without-version" => new VersioningOverride { Pinned = new() { Behavior = PinnedBehavior.Pinned } },
            "pinned-without-behavior" => new VersioningOverride { Pinned = new() { Version = V1.ToProto() } },
            "no-behavior" => new VersioningOverride(),
            _ => new VersioningOverride { Behavior = VersioningBehavior.Pinned, PinnedVersion = "nodot" },
        };
#pragma warning restore CS0612, CS0618
        // What the frontend runs on every start, signal-with-start, update-with-start and UpdateWorkflowExecutionOptions.
        var refused = Assert.Throws<InvalidArgumentException>(() => Tempora.History.Validation.VersioningOverrides.Validate(o));
        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public async Task UpdateOptions_SetsAndUnsetsTheOverride_RedispatchesPendingTasks_NoChangeWritesNothing()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), Versioned(V1, VersioningBehavior.AutoUpgrade),
            Activity("a"));
        Assert.Null((await h.TakeTaskAsync(TaskKind.Activity, "the auto-upgrade run's activity")).PinnedTo);

        var set = await UpdateOptionsAsync(h, run, PinnedOverride(V2), "versioning_override");
        Assert.Equal(PinnedOverride(V2), set.WorkflowExecutionOptions.VersioningOverride);
        var redispatched = await h.TakeTaskAsync(TaskKind.Activity, "the activity sent again");
        Assert.Equal(V2, redispatched.PinnedTo);
        var info = (await h.DescribeAsync(run)).WorkflowExecutionInfo;
        Assert.Equal((VersioningBehavior.AutoUpgrade, "dep"), (info.VersioningInfo.Behavior, info.WorkerDeploymentName));
        Assert.Equal(PinnedOverride(V2), info.VersioningInfo.VersioningOverride);
        Assert.Equal("dep:b2", Keyword(info.SearchAttributes, "TemporalWorkerDeploymentVersion"));
        Assert.Equal("pinned:dep:b2", KeywordList(info.SearchAttributes, "BuildIds")[0]);

        var again = await UpdateOptionsAsync(h, run, PinnedOverride(V2), "versioning_override");
        Assert.Equal(PinnedOverride(V2), again.WorkflowExecutionOptions.VersioningOverride);
        var unset = await UpdateOptionsAsync(h, run, null, "versioning_override");
        Assert.Null(unset.WorkflowExecutionOptions.VersioningOverride);

        var updates = (await h.HistoryAsync(run)).Where(e => e.EventType == EventType.WorkflowExecutionOptionsUpdated)
            .Select(e => e.WorkflowExecutionOptionsUpdatedEventAttributes).ToList();
        Assert.Equal(2, updates.Count); // the repeated override changed nothing
        Assert.Equal(PinnedOverride(V2), updates[0].VersioningOverride);
        Assert.True(updates[1].UnsetVersioningOverride);
        info = (await h.DescribeAsync(run)).WorkflowExecutionInfo;
        Assert.Null(info.VersioningInfo.VersioningOverride);
        Assert.Equal("dep:b1", Keyword(info.SearchAttributes, "TemporalWorkerDeploymentVersion"));
        Assert.Null((await h.TakeTaskAsync(TaskKind.Activity, "the activity sent again, unpinned")).PinnedTo);
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task ContinueAsNew_OfPinnedRun_InheritsOnARegisteredQueueOnly()
    {
        var routing = new FakeRouting { Unregistered = { ("elsewhere", TaskKind.Workflow) } };
        await using var h = await EngineHarness.StartAsync(routing);
        var run = await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), Versioned(V1, VersioningBehavior.Pinned), ContinueAsNew(null));
        var next = new WorkflowExecution { WorkflowId = run.WorkflowId };
        var started = (await h.HistoryAsync(next))[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(V1, DeploymentVersion.FromProto(started.InheritedPinnedVersion));
        var info = (await h.DescribeAsync(next)).WorkflowExecutionInfo;
        Assert.Equal((VersioningBehavior.Pinned, "dep"), (info.VersioningInfo.Behavior, info.WorkerDeploymentName));
        var task = await h.TakeTaskAsync(TaskKind.Workflow, "the new run's first task");
        Assert.Equal(V1, task.PinnedTo);
        var polled = await h.History.RecordWorkflowTaskStartedAsync(h.Namespace, task, Poll(V1), CancellationToken.None);
        await h.CompleteWorkflowTaskAsync(polled!, Versioned(V1, VersioningBehavior.Pinned), ContinueAsNew("elsewhere"));
        var third = (await h.HistoryAsync(new WorkflowExecution { WorkflowId = run.WorkflowId }))[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal("elsewhere", third.TaskQueue.Name);
        Assert.Null(third.InheritedPinnedVersion);
        Assert.Empty(h.History.RebuildMismatches);
    }

    [Fact]
    public async Task Children_OfPinnedParent_InheritOnARegisteredQueueOnly_RetryKeepsTheInheritedVersion()
    {
        var routing = new FakeRouting { Unregistered = { ("elsewhere", TaskKind.Workflow) } };
        await using var h = await EngineHarness.StartAsync(routing);
        await h.StartWorkflowAsync();
        await h.CompleteWorkflowTaskAsync(await PollWorkflowTaskAsync(h, null), Versioned(V1, VersioningBehavior.Pinned),
            Child("child-same", null, retry: true), Child("child-elsewhere", "elsewhere", retry: false));

        var same = await Wait(() => StartedAsync(h, "child-same"));
        Assert.Equal(V1, DeploymentVersion.FromProto(same.InheritedPinnedVersion));
        var elsewhere = await Wait(() => StartedAsync(h, "child-elsewhere"));
        Assert.Null(elsewhere.InheritedPinnedVersion);

        // The child fails and is retried: it inherited its version, so the retry does too.
        var childTask = await h.TakeTaskAsync(TaskKind.Workflow, "the child's first task");
        Assert.Equal(V1, childTask.PinnedTo);
        var polled = await h.History.RecordWorkflowTaskStartedAsync(h.Namespace, childTask, Poll(V1), CancellationToken.None);
        await h.CompleteWorkflowTaskAsync(polled!, Versioned(V1, VersioningBehavior.Pinned), new Command
        {
            CommandType = CommandType.FailWorkflowExecution,
            FailWorkflowExecutionCommandAttributes = new() { Failure = new() { Message = "again", ApplicationFailureInfo = new() } },
        });
        var retry = await StartedAsync(h, "child-same");
        Assert.Equal(2, retry!.Attempt);
        Assert.Equal(V1, DeploymentVersion.FromProto(retry.InheritedPinnedVersion));
        // The failed run's server-kept attributes are not copied into the retry's first event; the retry sets its own.
        Assert.False(retry.SearchAttributes?.IndexedFields.ContainsKey("BuildIds") ?? false);
        var retryInfo = (await h.DescribeAsync(new WorkflowExecution { WorkflowId = "child-same" })).WorkflowExecutionInfo;
        Assert.Equal(["pinned:dep:b1"], KeywordList(retryInfo.SearchAttributes, "BuildIds"));
        Assert.Empty(h.History.RebuildMismatches);
    }

    private static Command Child(string id, string? queue, bool retry) => new()
    {
        CommandType = CommandType.StartChildWorkflowExecution,
        StartChildWorkflowExecutionCommandAttributes = new StartChildWorkflowExecutionCommandAttributes
        {
            WorkflowId = id,
            WorkflowType = new WorkflowType { Name = "Child" },
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = queue ?? EngineHarness.TaskQueueName },
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
            RetryPolicy = retry ? new RetryPolicy { InitialInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), MaximumAttempts = 3 } : null,
        },
    };

    /// <summary>The first event of the workflow's current run; null while it has not started.</summary>
    private static async Task<WorkflowExecutionStartedEventAttributes?> StartedAsync(EngineHarness h, string workflowId)
    {
        try
        {
            return (await h.HistoryAsync(new WorkflowExecution { WorkflowId = workflowId }))[0].WorkflowExecutionStartedEventAttributes;
        }
        catch (EntityNotFoundException)
        {
            return null;
        }
    }

    private static async Task<T> Wait<T>(Func<Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 200; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("not within 10 s");
    }

    /// <summary>A VERSIONED worker's completion as the SDKs send it: options, behavior, and the build-id stamp.</summary>
    private static Action<RespondWorkflowTaskCompletedRequest> Versioned(DeploymentVersion v, VersioningBehavior behavior) => r =>
    {
        r.DeploymentOptions = Options(v);
        r.VersioningBehavior = behavior;
#pragma warning disable CS0612 // deprecated in the API, still what the SDKs send and 1.28 records
        r.WorkerVersionStamp = new Temporalio.Api.Common.V1.WorkerVersionStamp { BuildId = v.BuildId };
#pragma warning restore CS0612
    };

    private static WorkerDeploymentOptions? Options(DeploymentVersion? v) => v is null
        ? null
        : new WorkerDeploymentOptions { DeploymentName = v.DeploymentName, BuildId = v.BuildId, WorkerVersioningMode = WorkerVersioningMode.Versioned };

    private static PollWorkflowTaskQueueRequest Poll(DeploymentVersion? v) => new() { Namespace = "default", Identity = "w", DeploymentOptions = Options(v) };

    private static VersioningOverride PinnedOverride(DeploymentVersion v) => new()
    {
        Pinned = new VersioningOverride.Types.PinnedOverride { Behavior = PinnedBehavior.Pinned, Version = v.ToProto() },
    };

    private static async Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskAsync(EngineHarness h, DeploymentVersion? v)
    {
        var task = await h.TakeTaskAsync(TaskKind.Workflow, "a workflow task");
        return (await h.History.RecordWorkflowTaskStartedAsync(h.Namespace, task, Poll(v), CancellationToken.None))!;
    }

    private static Command Activity(string id, string? queue = null) => EngineHarness.ScheduleActivity(id, a =>
    {
        a.StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(5));
        if (queue is not null)
        {
            a.TaskQueue = new() { Name = queue };
        }
    });

    private static Command Timer(string id) => EngineHarness.StartTimer(id, TimeSpan.FromHours(1));

    private static Command ContinueAsNew(string? taskQueue) => new()
    {
        CommandType = CommandType.ContinueAsNewWorkflowExecution,
        ContinueAsNewWorkflowExecutionCommandAttributes = new ContinueAsNewWorkflowExecutionCommandAttributes
        {
            WorkflowType = new WorkflowType { Name = "Timed" },
            TaskQueue = taskQueue is null ? null : new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = taskQueue },
        },
    };

    private static Task<UpdateWorkflowExecutionOptionsResponse> UpdateOptionsAsync(EngineHarness h, WorkflowExecution run, VersioningOverride? o, string path) =>
        h.History.UpdateWorkflowExecutionOptionsAsync(h.Namespace, new UpdateWorkflowExecutionOptionsRequest
        {
            Namespace = h.Namespace.Name,
            WorkflowExecution = run,
            WorkflowExecutionOptions = new WorkflowExecutionOptions { VersioningOverride = o },
            UpdateMask = new FieldMask { Paths = { path } },
        }, CancellationToken.None);

    /// <summary>The directive of the task waiting on another activity queue; null when none waits or it is unpinned.</summary>
    private static async Task<DeploymentVersion?> InspectActivityOn(EngineHarness h, string queue)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var task = await h.Matching.PollAsync(new TaskQueueKey(h.Namespace.Id, queue, TaskKind.Activity),
            new Tempora.Matching.Poller("w", h.Namespace.Name, Sticky: false), TimeSpan.FromHours(1), patience.Token);
        Assert.NotNull(task);
        return task!.PinnedTo;
    }

    private static string? Keyword(SearchAttributes attributes, string name) =>
        attributes.IndexedFields.TryGetValue(name, out var p) ? JsonSerializer.Deserialize<string>(p.Data.Span) : null;

    private static List<string> KeywordList(SearchAttributes attributes, string name) =>
        attributes.IndexedFields.TryGetValue(name, out var p) ? JsonSerializer.Deserialize<List<string>>(p.Data.Span)! : [];

    /// <summary>Every version has every queue but the ones listed (the lead's routing answers from the store).</summary>
    private sealed class FakeRouting : IDeploymentRouting
    {
        public HashSet<(string Queue, TaskKind Kind)> Unregistered { get; } = [];

        public TaskQueueRouting For(string namespaceId, string taskQueue, TaskKind kind) => TaskQueueRouting.Unversioned;

        public bool IsRegistered(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind) =>
            !Unregistered.Contains((taskQueue, kind));
    }
}
