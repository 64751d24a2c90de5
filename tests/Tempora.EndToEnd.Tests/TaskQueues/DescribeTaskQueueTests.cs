using System.Diagnostics;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.TaskQueues;

/// <summary>
/// DescribeTaskQueue as Temporal 1.28 answers it, legacy and enhanced, with a backlog of known size: its count and
/// age, the add and dispatch rates, and the pollers per task type. On a cluster the figures are the replicas' sum.
/// </summary>
#pragma warning disable CS0612 // the version-based (enhanced) view and the legacy status are deprecated in the API, still served by 1.28
[Collection(ServerCollection.Name)]
public sealed class DescribeTaskQueueTests(ServerFixture fixture)
{
    private const int Workflows = 3;
    private const int WorkflowType = (int)TaskQueueType.Workflow;
    private const int ActivityType = (int)TaskQueueType.Activity;

    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.WorkflowService;

    [Fact]
    public async Task Describe_BacklogWithoutWorker_ThenWorkerDrainsIt()
    {
        var taskQueue = ServerFixture.NewTaskQueue("backlog");
        var first = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("0"), new(ServerFixture.NewWorkflowId(), taskQueue));
        var sinceFirst = Stopwatch.StartNew();
        var handles = new List<WorkflowHandle<HelloWorkflow, string>> { first };
        for (var i = 1; i < Workflows; i++)
        {
            handles.Add(await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync($"{i}"), new(ServerFixture.NewWorkflowId(), taskQueue)));
        }

        // No worker yet: every workflow task waits, the first of them since before its start answered.
        var (waited, described) = await Wait.UntilAsync(
            async () => (sinceFirst.Elapsed, await DescribeAsync(taskQueue)),
            d => WorkflowStats(d.Item2).ApproximateBacklogCount == Workflows,
            "the backlog of every workflow's first task");
        var backlog = WorkflowStats(described);
        Assert.True(backlog.ApproximateBacklogAge.ToTimeSpan() >= waited,
            $"the oldest task is {backlog.ApproximateBacklogAge} old, but it was created over {waited} ago");
        Assert.True(backlog.TasksAddRate > 0, "tasks were added");
        Assert.Equal(0, backlog.TasksDispatchRate);
        var later = WorkflowStats(await DescribeAsync(taskQueue));
        Assert.True(later.ApproximateBacklogAge.ToTimeSpan() >= backlog.ApproximateBacklogAge.ToTimeSpan(), "an undispatched task only gets older");

        var legacy = await Raw.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = taskQueue },
            IncludeTaskQueueStatus = true,
            ReportStats = true,
        });
        Assert.Equal(Workflows, legacy.TaskQueueStatus.BacklogCountHint);
        Assert.Equal(Workflows, legacy.Stats.ApproximateBacklogCount);

        // Activities eagerly started by the completing workflow task never reach the queue: have them go through it.
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue) { DisableEagerActivityExecution = true }
            .AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            foreach (var handle in handles)
            {
                await handle.GetResultAsync().WithTimeout("a workflow of the backlog");
            }
            var drained = await Wait.UntilAsync(
                () => DescribeAsync(taskQueue),
                d => WorkflowStats(d).ApproximateBacklogCount == 0 && d.VersionsInfo[""].TypesInfo[ActivityType].Pollers.Count > 0,
                "the backlog drained, with the worker's pollers");
            var workflows = drained.VersionsInfo[""].TypesInfo[WorkflowType];
            var activities = drained.VersionsInfo[""].TypesInfo[ActivityType];
            Assert.Equal(TimeSpan.Zero, workflows.Stats.ApproximateBacklogAge.ToTimeSpan());
            Assert.True(workflows.Stats.TasksDispatchRate > 0, "workflow tasks were dispatched");
            Assert.True(activities.Stats.TasksAddRate > 0, "activity tasks were added");
            Assert.True(activities.Stats.TasksDispatchRate > 0, "activity tasks were dispatched");
            Assert.Equal(0, activities.Stats.ApproximateBacklogCount);
            // The same worker polls both task types; each type lists it once, with the default rate.
            var identity = Assert.Single(workflows.Pollers).Identity;
            var activityPoller = Assert.Single(activities.Pollers);
            Assert.Equal(identity, activityPoller.Identity);
            Assert.Equal(100_000, activityPoller.RatePerSecond);
            Assert.NotNull(activityPoller.LastAccessTime);

            var legacyActivity = await Raw.DescribeTaskQueueAsync(new()
            {
                Namespace = "default",
                TaskQueue = new() { Name = taskQueue },
                TaskQueueType = TaskQueueType.Activity,
            });
            Assert.Equal(identity, Assert.Single(legacyActivity.Pollers).Identity);
        });
    }

    [Fact]
    public async Task Describe_ActivityWorkerWithARateLimit_ShowsItsRate()
    {
        var taskQueue = ServerFixture.NewTaskQueue("rate");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue) { MaxTaskQueueActivitiesPerSecond = 7 }
            .AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            var described = await Wait.UntilAsync(
                () => DescribeAsync(taskQueue),
                d => d.VersionsInfo[""].TypesInfo[ActivityType].Pollers.Count > 0 && d.VersionsInfo[""].TypesInfo[WorkflowType].Pollers.Count > 0,
                "the worker polling both task types");
            Assert.Equal(7, Assert.Single(described.VersionsInfo[""].TypesInfo[ActivityType].Pollers).RatePerSecond);
            Assert.Equal(100_000, Assert.Single(described.VersionsInfo[""].TypesInfo[WorkflowType].Pollers).RatePerSecond);

            var status = await Raw.DescribeTaskQueueAsync(new()
            {
                Namespace = "default",
                TaskQueue = new() { Name = taskQueue },
                TaskQueueType = TaskQueueType.Activity,
                IncludeTaskQueueStatus = true,
            });
            Assert.Equal(7, status.TaskQueueStatus.RatePerSecond); // the queue's dispatch limit, as the worker set it
        });
    }

    [Fact]
    public async Task Describe_EnhancedAndLegacy_AnswerInTheirOwnShape()
    {
        var taskQueue = ServerFixture.NewTaskQueue("shape");
        await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("x"), new(ServerFixture.NewWorkflowId(), taskQueue));

        // Enhanced, asking nothing more: the unversioned version only, both task types, neither pollers nor stats.
        var bare = await Raw.DescribeTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = taskQueue }, ApiMode = DescribeTaskQueueMode.Enhanced });
        var version = Assert.Single(bare.VersionsInfo);
        Assert.Equal("", version.Key);
        Assert.Equal([WorkflowType, ActivityType], version.Value.TypesInfo.Keys.Order());
        Assert.All(version.Value.TypesInfo.Values, t => Assert.Null(t.Stats));
        Assert.Equal(BuildIdTaskReachability.Unspecified, version.Value.TaskReachability);
        Assert.Empty(bare.Pollers);
        Assert.Null(bare.Stats);
        Assert.Null(bare.TaskQueueStatus);

        // One type, with stats and reachability: the unversioned queue is where new tasks go.
        var activityOnly = await Raw.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = taskQueue },
            ApiMode = DescribeTaskQueueMode.Enhanced,
            TaskQueueTypes = { TaskQueueType.Activity },
            Versions = new() { Unversioned = true },
            ReportStats = true,
            ReportTaskReachability = true,
        });
        var activity = Assert.Single(activityOnly.VersionsInfo[""].TypesInfo);
        Assert.Equal(ActivityType, activity.Key);
        Assert.Equal(0, activity.Value.Stats.ApproximateBacklogCount);
        Assert.Equal(BuildIdTaskReachability.Reachable, activityOnly.VersionsInfo[""].TaskReachability);

        // "All active" versioned queues without the unversioned one: there are none without worker versioning.
        var allActive = await Raw.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = taskQueue },
            ApiMode = DescribeTaskQueueMode.Enhanced,
            Versions = new() { AllActive = true },
        });
        Assert.Empty(allActive.VersionsInfo);

        // Legacy: the one type asked (workflow by default), flat, with the versioning info of an unversioned queue.
        var legacy = await Raw.DescribeTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = taskQueue } });
        Assert.Empty(legacy.VersionsInfo);
        Assert.Null(legacy.Stats);
        Assert.Null(legacy.TaskQueueStatus);
        Assert.Equal("__unversioned__", legacy.VersioningInfo.CurrentVersion);
        var withStats = await Raw.DescribeTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = taskQueue }, ReportStats = true });
        Assert.Equal(1, withStats.Stats.ApproximateBacklogCount);

        // A partition other than the root, as `temporal task-queue describe --legacy-mode --partitions-legacy 2` asks:
        // Tempora has none, so it is empty.
        var partition = await Raw.DescribeTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = $"/_sys/{taskQueue}/1" },
            IncludeTaskQueueStatus = true,
        });
        Assert.Equal(0, partition.TaskQueueStatus.BacklogCountHint);
        Assert.Empty(partition.Pollers);
    }

    [Fact]
    public async Task Describe_WorkersStickyQueue_LegacyModeListsItsPoller()
    {
        var taskQueue = ServerFixture.NewTaskQueue("sticky");
        // Sticky queues exist only with the worker's cache on, so this keeps it on in the cache-off pass too.
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue) { MaxCachedWorkflows = 100 }.AddWorkflow<WaitForFinishWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            // The first workflow task done, the worker keeps the run cached: the signal's task goes to its sticky queue.
            await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskCompleted);
            await handle.SignalAsync(wf => wf.FinishAsync("done"));
            await handle.GetResultAsync().WithTimeout("the workflow");
            var sticky = (await handle.EventsAsync())
                .Select(e => e.WorkflowTaskScheduledEventAttributes?.TaskQueue)
                .First(q => q?.Kind == TaskQueueKind.Sticky)!;

            var described = await Raw.DescribeTaskQueueAsync(new()
            {
                Namespace = "default",
                TaskQueue = new() { Name = sticky.Name, Kind = TaskQueueKind.Sticky, NormalName = taskQueue },
                IncludeTaskQueueStatus = true,
            });
            var normal = await DescribeAsync(taskQueue);
            // The worker polls its sticky queue under the identity it polls the normal queue with.
            Assert.Equal(
                Assert.Single(normal.VersionsInfo[""].TypesInfo[WorkflowType].Pollers).Identity,
                Assert.Single(described.Pollers).Identity);
            Assert.Equal(0, described.TaskQueueStatus.BacklogCountHint);
            Assert.Null(described.VersioningInfo); // only a normal queue has one
        });
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Describe_BadRequest_IsRefusedInTemporalsWords(string name)
    {
        var (request, code, message) = Bad[name];
        var refused = await Assert.ThrowsAsync<RpcException>(() => Raw.DescribeTaskQueueAsync(request));
        Assert.Equal(code, refused.Code);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> BadRequests => [.. Bad.Keys];

    private static readonly Dictionary<string, (DescribeTaskQueueRequest Request, RpcException.StatusCode Code, string Message)> Bad = new()
    {
        ["no task queue"] = (new() { Namespace = "default" }, RpcException.StatusCode.InvalidArgument, "taskQueue is not set"),
        ["no name"] = (new() { Namespace = "default", TaskQueue = new() }, RpcException.StatusCode.InvalidArgument, "missing task queue name"),
        ["name too long"] = (new() { Namespace = "default", TaskQueue = new() { Name = new string('q', 1001) } },
            RpcException.StatusCode.InvalidArgument, "taskQueue length exceeds limit"),
        ["unknown task type"] = (new() { Namespace = "default", TaskQueue = new() { Name = "q" }, TaskQueueType = (TaskQueueType)99 },
            RpcException.StatusCode.InvalidArgument, "task_queue_type"),
        ["unknown namespace"] = (new() { Namespace = "no-such-namespace", TaskQueue = new() { Name = "q" } }, RpcException.StatusCode.NotFound, "no-such-namespace"),
        ["enhanced on a sticky queue"] = (new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = "sticky", Kind = TaskQueueKind.Sticky, NormalName = "q" },
            ApiMode = DescribeTaskQueueMode.Enhanced,
        }, RpcException.StatusCode.InvalidArgument, "Enhanced DescribeTaskQueue is not valid for a sticky queue"),
        ["enhanced on a partition"] = (new() { Namespace = "default", TaskQueue = new() { Name = "/_sys/q/1" }, ApiMode = DescribeTaskQueueMode.Enhanced },
            RpcException.StatusCode.InvalidArgument, "task queue name cannot start with reserved prefix /_sys/"),
        ["stats of a sticky queue"] = (new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = "sticky", Kind = TaskQueueKind.Sticky, NormalName = "q" },
            ReportStats = true,
        }, RpcException.StatusCode.InvalidArgument, "DescribeTaskQueue stats are only supported for the root partition"),
        ["malformed partition"] = (new() { Namespace = "default", TaskQueue = new() { Name = "/_sys/q/zero" } },
            RpcException.StatusCode.InvalidArgument, "invalid task queue partition name /_sys/q/zero"),
        ["normal name on a normal queue"] = (new() { Namespace = "default", TaskQueue = new() { Name = "q", NormalName = "other" } },
            RpcException.StatusCode.InvalidArgument, "only sticky queues can have normal name"),
        ["report_config"] = (new() { Namespace = "default", TaskQueue = new() { Name = "q" }, ReportConfig = true },
            RpcException.StatusCode.Unimplemented, "report_config"),
    };

    private Task<DescribeTaskQueueResponse> DescribeAsync(string taskQueue) => Raw.DescribeTaskQueueAsync(new()
    {
        Namespace = "default",
        TaskQueue = new() { Name = taskQueue },
        ApiMode = DescribeTaskQueueMode.Enhanced,
        ReportPollers = true,
        ReportStats = true,
    });

    private static TaskQueueStats WorkflowStats(DescribeTaskQueueResponse enhanced) => enhanced.VersionsInfo[""].TypesInfo[WorkflowType].Stats;
}
