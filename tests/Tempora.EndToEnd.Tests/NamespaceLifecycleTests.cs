using Google.Protobuf.WellKnownTypes;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>UpdateNamespace, DeprecateNamespace and DeleteNamespace through the SDK's raw services, and what the
/// database holds after a deletion.</summary>
[Collection(ServerCollection.Name)]
public sealed class NamespaceLifecycleTests(ServerFixture fixture)
{
    private static readonly SearchAttributeKey<string> Ticket = SearchAttributeKey.CreateKeyword("DeletionTicket");

    private WorkflowService Raw => fixture.Client.WorkflowService;

    private async Task<string> RegisterAsync(string prefix)
    {
        var name = ServerFixture.NewWorkflowId(prefix);
        await Raw.RegisterNamespaceAsync(new() { Namespace = name, WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)) });
        return name;
    }

    private async Task<DescribeNamespaceResponse> DescribeAsync(string name) =>
        await Raw.DescribeNamespaceAsync(new() { Namespace = name });

    [Fact]
    public async Task UpdateNamespace_EveryUpdatableField_RoundTripsThroughDescribe()
    {
        var name = await RegisterAsync("ns-update");
        var answer = await Raw.UpdateNamespaceAsync(new()
        {
            Namespace = name,
            UpdateInfo = new UpdateNamespaceInfo { Description = "orders", OwnerEmail = "ops@example.com", Data = { ["team"] = "a", ["tier"] = "1" } },
            Config = new NamespaceConfig { WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(2)) },
        });
        Assert.Equal("orders", answer.NamespaceInfo.Description);
        // Data is merged, an empty description or owner leaves the old one.
        await Raw.UpdateNamespaceAsync(new() { Namespace = name, UpdateInfo = new UpdateNamespaceInfo { Data = { ["tier"] = "2", ["zone"] = "eu" } } });

        var described = await DescribeAsync(name);
        Assert.Equal("orders", described.NamespaceInfo.Description);
        Assert.Equal("ops@example.com", described.NamespaceInfo.OwnerEmail);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a", ["tier"] = "2", ["zone"] = "eu" }, described.NamespaceInfo.Data);
        Assert.Equal(TimeSpan.FromDays(2), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
        Assert.Equal(NamespaceState.Registered, described.NamespaceInfo.State);
    }

    [Fact]
    public async Task UpdateNamespace_StateDeprecated_StopsNewStartsOnly_AndCannotGoBack()
    {
        var name = await RegisterAsync("ns-deprecate");
        var client = await ServerFixture.ConnectAsync(fixture.Server, name);
        var taskQueue = ServerFixture.NewTaskQueue();
        var running = await client.StartWorkflowAsync((WaitingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));

        await Raw.UpdateNamespaceAsync(new() { Namespace = name, UpdateInfo = new UpdateNamespaceInfo { State = NamespaceState.Deprecated } });
        Assert.Equal(NamespaceState.Deprecated, (await DescribeAsync(name)).NamespaceInfo.State);

        var start = await Assert.ThrowsAsync<RpcException>(() =>
            client.StartWorkflowAsync((WaitingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue)));
        Assert.Equal(RpcException.StatusCode.FailedPrecondition, start.Code);
        Assert.Equal("Namespace has invalid state: Deprecated. Must be Registered.", start.Message);
        await running.SignalAsync(wf => wf.ReleaseAsync()); // the rest is still served
        await running.TerminateAsync("done");

        var back = await Assert.ThrowsAsync<RpcException>(() =>
            Raw.UpdateNamespaceAsync(new() { Namespace = name, UpdateInfo = new UpdateNamespaceInfo { State = NamespaceState.Registered } }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, back.Code);
        Assert.Equal("Invalid namespace state update.", back.Message);

        // Deleted through UpdateNamespace closes the namespace to every request but describe, as on Temporal.
        await Raw.UpdateNamespaceAsync(new() { Namespace = name, UpdateInfo = new UpdateNamespaceInfo { State = NamespaceState.Deleted } });
        Assert.Equal(NamespaceState.Deleted, (await DescribeAsync(name)).NamespaceInfo.State);
        var closed = await Assert.ThrowsAsync<RpcException>(() => running.DescribeAsync());
        Assert.Equal(RpcException.StatusCode.FailedPrecondition, closed.Code);
        Assert.Equal("Namespace has invalid state: Deleted. Must be Registered or Deprecated.", closed.Message);
    }

    [Fact]
    public async Task DeprecateNamespace_SetsDeprecated_ListedWithItsState()
    {
        var name = await RegisterAsync("ns-deprecated");
        await Raw.DeprecateNamespaceAsync(new() { Namespace = name });
        var listed = await Raw.ListNamespacesAsync(new() { PageSize = 1000 });
        Assert.Equal(NamespaceState.Deprecated, Assert.Single(listed.Namespaces, n => n.NamespaceInfo.Name == name).NamespaceInfo.State);
        Assert.Contains(listed.Namespaces, n => n.NamespaceInfo.Name == "default" && n.NamespaceInfo.State == NamespaceState.Registered);
    }

    [Fact]
    public async Task DeleteNamespace_BadRequests_AnswerTemporalsErrors()
    {
        var neither = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.OperatorService.DeleteNamespaceAsync(new()));
        Assert.Equal((RpcException.StatusCode.InvalidArgument, "Namespace not set on request."), (neither.Code, neither.Message));
        var both = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Client.OperatorService.DeleteNamespaceAsync(new() { Namespace = "default", NamespaceId = Guid.NewGuid().ToString() }));
        Assert.Equal((RpcException.StatusCode.InvalidArgument, "Only one of namespace name or Id should be set on request."), (both.Code, both.Message));
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Client.OperatorService.DeleteNamespaceAsync(new() { Namespace = ServerFixture.NewWorkflowId("missing") }));
        Assert.Equal(RpcException.StatusCode.NotFound, unknown.Code);
    }

    [Fact]
    public async Task DeleteNamespace_WithRunningAndClosedWorkflowsAScheduleAndABatch_LeavesNoRowAndFreesTheName()
    {
        var name = await RegisterAsync("ns-delete");
        var id = (await DescribeAsync(name)).NamespaceInfo.Id;
        await fixture.Client.OperatorService.AddSearchAttributesAsync(new()
        {
            Namespace = name,
            SearchAttributes = { [Ticket.Name] = IndexedValueType.Keyword },
        });
        var client = await ServerFixture.ConnectAsync(fixture.Server, name);
        var taskQueue = ServerFixture.NewTaskQueue();
        var holding = ServerFixture.NewWorkflowId("holding");
        var activities = new HoldingActivities();
        using (var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HoldingWorkflow>().AddWorkflow<WaitingWorkflow>().AddAllActivities(activities)))
        {
            await worker.ExecuteAsync(async () =>
            {
                await client.ExecuteWorkflowAsync((WaitingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("closed"), taskQueue)
                {
                    StartSignal = "Release",
                });
                // A timer, and an activity started by the worker that is still running when the worker goes.
                await client.StartWorkflowAsync((HoldingWorkflow wf) => wf.RunAsync(), new(holding, taskQueue)
                {
                    TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(Ticket, "t-1").ToSearchAttributeCollection(),
                });
                await activities.Started.Task.WithTimeout("the holding activity to start");
            });
        }
        // A workflow task no worker takes, and a schedule with its visibility row.
        await client.StartWorkflowAsync((WaitingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("queued"), ServerFixture.NewTaskQueue()));
        await client.CreateScheduleAsync(ServerFixture.NewWorkflowId("sched"), new Schedule(
            ScheduleActionStartWorkflow.Create((WaitingWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("scheduled"), taskQueue)),
            new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromHours(1))] }));
        // And a batch operation, with its selection.
        await Raw.StartBatchOperationAsync(new()
        {
            Namespace = name,
            JobId = ServerFixture.NewWorkflowId("batch"),
            Reason = "before the namespace goes",
            VisibilityQuery = $"WorkflowId = '{holding}'",
            SignalOperation = new() { Signal = "Nothing" },
        });
        var before = await Wait.UntilAsync(() => NamespaceRows.CountAsync(fixture.Database, id),
            rows => new[] { "executions", "history_node", "timer_tasks", "tasks", "schedules", "batches", "batch_items", "executions_visibility", "namespaces" }
                .All(t => rows.Keys.Any(k => k == t || k.EndsWith("." + t, StringComparison.Ordinal))),
            "the namespace's rows to be written");

        var deleted = await fixture.Client.OperatorService.DeleteNamespaceAsync(new() { Namespace = name });
        var newName = $"{name}-deleted-{id[..5]}";
        Assert.Equal(newName, deleted.DeletedNamespace);

        // By its new name: Deleted, and refused with Temporal's words; by its old name: not found, then free.
        var described = await Raw.DescribeNamespaceAsync(new() { Id = id });
        Assert.Equal((newName, NamespaceState.Deleted), (described.NamespaceInfo.Name, described.NamespaceInfo.State));
        var signal = await Assert.ThrowsAsync<RpcException>(() => Raw.SignalWorkflowExecutionAsync(new()
        {
            Namespace = newName,
            WorkflowExecution = new() { WorkflowId = holding },
            SignalName = "Release",
        }));
        Assert.Equal((RpcException.StatusCode.FailedPrecondition, "Namespace has invalid state: Deleted. Must be Registered or Deprecated."),
            (signal.Code, signal.Message));
        var start = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(new()
        {
            Namespace = newName,
            WorkflowId = "again",
            WorkflowType = new() { Name = "WaitingWorkflow" },
            TaskQueue = new() { Name = taskQueue },
            RequestId = Guid.NewGuid().ToString(),
        }));
        Assert.Equal((RpcException.StatusCode.FailedPrecondition, "Namespace has invalid state: Deleted. Must be Registered."), (start.Code, start.Message));
        var oldName = await Assert.ThrowsAsync<RpcException>(() => client.GetWorkflowHandle(holding).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, oldName.Code);
        Assert.DoesNotContain((await Raw.ListNamespacesAsync(new() { PageSize = 1000 })).Namespaces, n => n.NamespaceInfo.Id == id);
        Assert.Contains((await Raw.ListNamespacesAsync(new() { PageSize = 1000, NamespaceFilter = new() { IncludeDeleted = true } })).Namespaces,
            n => n.NamespaceInfo.Id == id);

        await Raw.RegisterNamespaceAsync(new() { Namespace = name, WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)) });
        var reborn = await DescribeAsync(name);
        Assert.NotEqual(id, reborn.NamespaceInfo.Id);
        Assert.Equal(NamespaceState.Registered, reborn.NamespaceInfo.State);

        // The purge runs in the background; the namespace's own row goes last.
        var after = await Wait.UntilAsync(() => NamespaceRows.CountAsync(fixture.Database, id), rows => rows.Count == 0,
            $"every row of the deleted namespace to be purged (there were {string.Join(", ", before.Select(r => $"{r.Key}: {r.Value}"))})",
            TimeSpan.FromSeconds(90));
        Assert.Empty(after);
        var gone = await Assert.ThrowsAsync<RpcException>(() => Raw.DescribeNamespaceAsync(new() { Id = id }));
        Assert.Equal(RpcException.StatusCode.NotFound, gone.Code);
        activities.Release.TrySetResult();
    }

    [Workflow]
    public class WaitingWorkflow
    {
        private bool _released;

        [WorkflowRun]
        public Task RunAsync() => Workflow.WaitConditionAsync(() => _released);

        [WorkflowSignal]
        public Task ReleaseAsync()
        {
            _released = true;
            return Task.CompletedTask;
        }
    }

    [Workflow]
    public class HoldingWorkflow
    {
        [WorkflowRun]
        public async Task RunAsync()
        {
            var timer = Workflow.DelayAsync(TimeSpan.FromHours(1));
            var activity = Workflow.ExecuteActivityAsync((HoldingActivities a) => a.HoldAsync(),
                new() { StartToCloseTimeout = TimeSpan.FromHours(1), RetryPolicy = new() { MaximumAttempts = 1 } });
            await Workflow.WhenAnyAsync(timer, activity);
        }
    }

    public class HoldingActivities
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        [Activity]
        public async Task HoldAsync()
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(ActivityExecutionContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// A deletion delayed beyond what a timer can wait (Temporal allows any namespace_delete_delay): the deleter
    /// sleeps at most a day at a time, so the server keeps running its job and shuts down cleanly. Found by
    /// RequestFuzzTests, whose random delay made the job's wait throw.
    /// </summary>
    [Fact]
    public async Task DeleteNamespace_DelayOfMonths_TheServerRunsOnAndStopsCleanly()
    {
        await using var own = await OwnServer.StartAsync("ns-long-delay");
        var name = ServerFixture.NewWorkflowId("ns-long-delay");
        await own.Client.WorkflowService.RegisterNamespaceAsync(new() { Namespace = name, WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)) });
        var deleted = await own.Client.OperatorService.DeleteNamespaceAsync(new()
        {
            Namespace = name,
            NamespaceDeleteDelay = Duration.FromTimeSpan(TimeSpan.FromDays(400)),
        });

        var described = await own.Client.WorkflowService.DescribeNamespaceAsync(new() { Namespace = deleted.DeletedNamespace });
        Assert.Equal(NamespaceState.Deleted, described.NamespaceInfo.State);
        // The job passed over it and now sleeps; a request still gets its answer, and stopping does not throw.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.NotNull(await own.Client.WorkflowService.GetSystemInfoAsync(new()));
        await own.DisposeAsync();
    }
}
