using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using TaskQueue = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Values protobuf lets through but the server cannot use — bad durations and timestamps, unknown enum numbers,
/// reserved task-queue names, bytes that are no message — answer InvalidArgument naming the field (or fail the
/// workflow task with the command's BAD_*_ATTRIBUTES cause), as Temporal does; never Internal or Unknown.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RequestValidationTests(ServerFixture fixture)
{
    /// <summary>Temporal 1.28's cap on a duration: 100 years.</summary>
    private const long HundredYearsInSeconds = 100L * 365 * 86_400;

    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.Connection.WorkflowService;

    [Theory]
    [InlineData(5, -1, "seconds and nanos with different signs")]
    [InlineData(-5, 1, "seconds and nanos with different signs")]
    [InlineData(0, 1_000_000_000, "nanos out of range")]
    [InlineData(-1, 0, "negative duration")]
    public async Task StartWorkflow_BadRunTimeout_ThrowsInvalidArgumentNamingTheField(long seconds, int nanos, string why)
    {
        var request = StartRequest(ServerFixture.NewWorkflowId());
        request.WorkflowRunTimeout = new Duration { Seconds = seconds, Nanos = nanos };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("workflow_run_timeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWorkflow_TimeoutBeyondTimeSpan_IsCappedToHundredYears()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        request.WorkflowExecutionTimeout = new Duration { Seconds = Duration.MaxSeconds };
        request.WorkflowTaskTimeout = new Duration { Seconds = long.MaxValue };

        await Raw.StartWorkflowExecutionAsync(request);

        var started = (await Client.GetWorkflowHandle(workflowId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(HundredYearsInSeconds, started.WorkflowExecutionTimeout.Seconds);
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    [Fact]
    public async Task StartWorkflow_RetryPolicyWithOnlyMaximumAttempts_GetsTemporalsDefaults()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        request.RetryPolicy = new RetryPolicy { MaximumAttempts = 3 }; // what the Go SDK sends for MaximumAttempts alone

        await Raw.StartWorkflowExecutionAsync(request);

        var policy = (await Client.GetWorkflowHandle(workflowId).EventsAsync())[0].WorkflowExecutionStartedEventAttributes.RetryPolicy;
        Assert.Equal(3, policy.MaximumAttempts);
        Assert.Equal(2.0, policy.BackoffCoefficient);
        Assert.Equal(TimeSpan.FromSeconds(1), policy.InitialInterval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(100), policy.MaximumInterval.ToTimeSpan());
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.5)]
    public async Task StartWorkflow_BadBackoffCoefficient_ThrowsInvalidArgument(double coefficient)
    {
        var request = StartRequest(ServerFixture.NewWorkflowId());
        request.RetryPolicy = new RetryPolicy { BackoffCoefficient = coefficient, MaximumAttempts = 3 };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("backoff", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StartWorkflow_NonRetryableUnknownTimeoutType_ThrowsInvalidArgument()
    {
        var request = StartRequest(ServerFixture.NewWorkflowId());
        request.RetryPolicy = new RetryPolicy { MaximumAttempts = 3, BackoffCoefficient = 2, NonRetryableErrorTypes = { "TemporalTimeout:StartToClose", "TemporalTimeout:Bogus" } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Equal("Invalid timeout type value: Bogus.", ex.Message);
    }

    [Fact]
    public async Task StartWorkflow_UnknownReusePolicy_ThrowsInvalidArgumentNamingTheField()
    {
        var request = StartRequest(ServerFixture.NewWorkflowId());
        request.WorkflowIdReusePolicy = (WorkflowIdReusePolicy)99;

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("workflow_id_reuse_policy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalWithStart_UnknownConflictPolicy_ThrowsInvalidArgumentNamingTheField()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.SignalWithStartWorkflowExecutionAsync(new SignalWithStartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = ServerFixture.NewWorkflowId(),
            WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
            TaskQueue = new TaskQueue { Name = ServerFixture.NewTaskQueue() },
            SignalName = "go",
            RequestId = Guid.NewGuid().ToString(),
            WorkflowIdConflictPolicy = (WorkflowIdConflictPolicy)42,
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("workflow_id_conflict_policy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollWorkflowTaskQueue_UnknownTaskQueueKind_ThrowsInvalidArgument()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.PollWorkflowTaskQueueAsync(new PollWorkflowTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = new TaskQueue { Name = ServerFixture.NewTaskQueue(), Kind = (TaskQueueKind)7 },
            Identity = RawWorker.Identity,
        }, new RpcOptions { Timeout = TimeSpan.FromSeconds(5) }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("task_queue.kind", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHistory_UnknownEventFilterType_ThrowsInvalidArgument()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = "default",
            Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = ServerFixture.NewWorkflowId() },
            HistoryEventFilterType = (HistoryEventFilterType)5,
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("history_event_filter_type", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListClosed_TimestampOutOfRange_ThrowsInvalidArgument()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsRequest
        {
            Namespace = "default",
            StartTimeFilter = new Temporalio.Api.Filter.V1.StartTimeFilter
            {
                EarliestTime = new Timestamp { Seconds = long.MinValue },
                LatestTime = new Timestamp { Seconds = long.MaxValue },
            },
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("start_time_filter.earliest_time", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWorkflow_ReservedTaskQueuePrefix_ThrowsInvalidArgument()
    {
        var request = StartRequest(ServerFixture.NewWorkflowId());
        request.TaskQueue = new TaskQueue { Name = "/_sys/orders/1" };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Equal("task queue name cannot start with reserved prefix /_sys/", ex.Message);
    }

    [Fact]
    public async Task PollActivityTaskQueue_ReservedTaskQueuePrefix_ThrowsInvalidArgument()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.PollActivityTaskQueueAsync(new PollActivityTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = new TaskQueue { Name = "/_sys/orders/2" },
            Identity = RawWorker.Identity,
        }, new RpcOptions { Timeout = TimeSpan.FromSeconds(5) }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("reserved prefix /_sys/", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWorkflow_MalformedProtobuf_ThrowsInvalidArgument()
    {
        using var channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");
        var rpc = new Grpc.Core.Method<byte[], byte[]>(Grpc.Core.MethodType.Unary, "temporal.api.workflowservice.v1.WorkflowService",
            "StartWorkflowExecution", RawBytes, RawBytes);

        // Field 1 (namespace) as a length-delimited string that claims 100 bytes and carries 3.
        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, new Grpc.Core.CallOptions(), [0x0A, 100, 1, 2, 3]).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("StartWorkflowExecutionRequest", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeNamespace_MegabyteName_AnswersNotFoundReadably()
    {
        // The answer quotes the name; at a megabyte it made the client drop the connection (headers over 64 KiB).
        // A raw channel: the SDK would also copy the namespace into a request header.
        using var channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");
        var rpc = new Grpc.Core.Method<byte[], byte[]>(Grpc.Core.MethodType.Unary, "temporal.api.workflowservice.v1.WorkflowService",
            "DescribeNamespace", RawBytes, RawBytes);
        var request = new DescribeNamespaceRequest { Namespace = new string('n', 900_000) };

        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, new Grpc.Core.CallOptions(), request.ToByteArray()).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.NotFound, ex.StatusCode);
        Assert.True(ex.Status.Detail.Length < 4096, $"message of {ex.Status.Detail.Length} characters");
    }

    [Fact]
    public async Task ScheduleActivityCommand_NonNormalizedTimeout_FailsWorkflowTaskWithBadScheduleActivityAttributes()
    {
        var command = new Command
        {
            CommandType = CommandType.ScheduleActivityTask,
            ScheduleActivityTaskCommandAttributes = new ScheduleActivityTaskCommandAttributes
            {
                ActivityId = "a1",
                ActivityType = new ActivityType { Name = "Act" },
                StartToCloseTimeout = new Duration { Seconds = 10, Nanos = -1 },
            },
        };

        var failed = await CompleteFirstTaskWithAsync(command);

        Assert.Equal(WorkflowTaskFailedCause.BadScheduleActivityAttributes, failed.Cause);
        Assert.Contains("start_to_close_timeout", failed.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleActivityCommand_TaskQueueOverLengthLimit_FailsWorkflowTaskWithBadScheduleActivityAttributes()
    {
        var command = new Command
        {
            CommandType = CommandType.ScheduleActivityTask,
            ScheduleActivityTaskCommandAttributes = new ScheduleActivityTaskCommandAttributes
            {
                ActivityId = "a1",
                ActivityType = new ActivityType { Name = "Act" },
                TaskQueue = new TaskQueue { Name = new string('q', 1001) },
                StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            },
        };

        var failed = await CompleteFirstTaskWithAsync(command);

        Assert.Equal(WorkflowTaskFailedCause.BadScheduleActivityAttributes, failed.Cause);
        Assert.Contains("TaskQueue length exceeds limit", failed.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTimerCommand_NegativeTimeout_FailsWorkflowTaskWithBadStartTimerAttributes()
    {
        var command = RawWorker.TimerCommand("t1", TimeSpan.FromSeconds(1));
        command.StartTimerCommandAttributes.StartToFireTimeout = new Duration { Seconds = -3 };

        var failed = await CompleteFirstTaskWithAsync(command);

        Assert.Equal(WorkflowTaskFailedCause.BadStartTimerAttributes, failed.Cause);
        Assert.Contains("negative duration", failed.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartChildCommand_UnknownParentClosePolicy_FailsWorkflowTaskWithBadStartChildAttributes()
    {
        var command = ChildCommand();
        command.StartChildWorkflowExecutionCommandAttributes.ParentClosePolicy = (ParentClosePolicy)99;

        var failed = await CompleteFirstTaskWithAsync(command);

        Assert.Equal(WorkflowTaskFailedCause.BadStartChildExecutionAttributes, failed.Cause);
        Assert.Contains("parent_close_policy", failed.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartChildCommand_RetryPolicyWithOnlyMaximumAttempts_IsAccepted()
    {
        var command = ChildCommand();
        command.StartChildWorkflowExecutionCommandAttributes.RetryPolicy = new RetryPolicy { MaximumAttempts = 2 };
        var (workflowId, task) = await StartAndPollAsync();

        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, command));

        var events = await Client.GetWorkflowHandle(workflowId).EventsAsync();
        Assert.Contains(events, e => e.EventType == EventType.StartChildWorkflowExecutionInitiated);
        Assert.DoesNotContain(events, e => e.EventType == EventType.WorkflowTaskFailed);
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    [Fact]
    public async Task ContinueAsNewCommand_ReservedTaskQueue_FailsWorkflowTaskWithBadContinueAsNewAttributes()
    {
        var command = new Command
        {
            CommandType = CommandType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionCommandAttributes = new ContinueAsNewWorkflowExecutionCommandAttributes
            {
                WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
                TaskQueue = new TaskQueue { Name = "/_sys/elsewhere/3" },
            },
        };

        var failed = await CompleteFirstTaskWithAsync(command);

        Assert.Equal(WorkflowTaskFailedCause.BadContinueAsNewAttributes, failed.Cause);
        Assert.Contains("/_sys/", failed.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_UnknownCommandType_ThrowsInvalidArgument()
    {
        var (workflowId, task) = await StartAndPollAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondWorkflowTaskCompletedAsync(
            RawWorker.Completion(task.TaskToken, new Command { CommandType = (CommandType)999 })));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("Unknown command type", ex.Message, StringComparison.Ordinal);
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    private static Command ChildCommand() => new()
    {
        CommandType = CommandType.StartChildWorkflowExecution,
        StartChildWorkflowExecutionCommandAttributes = new StartChildWorkflowExecutionCommandAttributes
        {
            WorkflowId = ServerFixture.NewWorkflowId("child"),
            WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
        },
    };

    /// <summary>Starts a run on a fresh queue and polls its first workflow task as a raw worker.</summary>
    private async Task<(string WorkflowId, PollWorkflowTaskQueueResponse Task)> StartAndPollAsync()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var request = StartRequest(workflowId);
        await Raw.StartWorkflowExecutionAsync(request);
        var task = await RawWorker.PollWorkflowTaskAsync(Client, request.TaskQueue.Name).WithTimeout("first workflow task");
        Assert.False(task.TaskToken.IsEmpty, "no workflow task was handed out");
        return (workflowId, task);
    }

    /// <summary>
    /// Completes a run's first workflow task with <paramref name="command"/>: the completion is refused
    /// (InvalidArgument) and the task failed; the WorkflowTaskFailed event's attributes.
    /// </summary>
    private async Task<WorkflowTaskFailedEventAttributes> CompleteFirstTaskWithAsync(Command command)
    {
        var (workflowId, task) = await StartAndPollAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, command)));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        var events = await Client.GetWorkflowHandle(workflowId).EventsAsync();
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
        return Assert.Single(events, e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
    }

    private static StartWorkflowExecutionRequest StartRequest(string workflowId) => new()
    {
        Namespace = "default",
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
        TaskQueue = new TaskQueue { Name = ServerFixture.NewTaskQueue() },
        RequestId = Guid.NewGuid().ToString(),
        Identity = "e2e-test",
    };

    private static readonly Grpc.Core.Marshaller<byte[]> RawBytes = Grpc.Core.Marshallers.Create(b => b, b => b);
}
