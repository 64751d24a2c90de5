using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Requests Temporal answers in a particular way and Tempora now answers the same: oversize worker reports turned into
/// failures instead of refused, an update without an id given one, filters and name/id pairs refused with Temporal's
/// words, an activity completed by id before it started, and update-with-start checked whole before anything runs.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TemporalAnswerTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    /// <summary>3 MiB: over the 2 MiB blob limit.</summary>
    private static readonly ByteString Oversize = ByteString.CopyFrom(new byte[3 * 1024 * 1024]);

    private async Task<(string WorkflowId, string TaskQueue)> StartAsync(string prefix)
    {
        var id = ServerFixture.NewWorkflowId(prefix);
        var taskQueue = ServerFixture.NewTaskQueue(prefix);
        await Raw.StartWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowId = id,
            WorkflowType = new() { Name = "Raw" },
            TaskQueue = RawWorker.NormalQueue(taskQueue),
            RequestId = Guid.NewGuid().ToString(),
        });
        return (id, taskQueue);
    }

    [Fact]
    public async Task RespondWorkflowTaskFailed_OversizeFailure_FailsTheTaskWithAServerFailure()
    {
        var (id, taskQueue) = await StartAsync("wft-oversize");
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        var failed = RawWorker.Failure(task.TaskToken, "boom");
        failed.Failure.StackTrace = Oversize.ToStringUtf8();

        await Raw.RespondWorkflowTaskFailedAsync(failed);

        var events = await fixture.Client.GetWorkflowHandle(id).EventsAsync();
        var attributes = events.Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal("Failure exceeds size limit.", attributes.Failure.Message);
        Assert.Equal("boom", attributes.Failure.Cause.Message);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task Heartbeat_OversizeDetails_FailsTheActivityAndAsksTheWorkerToStop()
    {
        var (id, taskQueue) = await StartAsync("hb-oversize");
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, ScheduleActivity("a1", taskQueue)));
        var activity = await Raw.PollActivityTaskQueueAsync(new() { Namespace = "default", TaskQueue = RawWorker.NormalQueue(taskQueue), Identity = "raw" });

        var heartbeat = await Raw.RecordActivityTaskHeartbeatAsync(new()
        {
            Namespace = "default",
            TaskToken = activity.TaskToken,
            Details = new Payloads { Payloads_ = { new Payload { Data = Oversize } } },
        });

        Assert.True(heartbeat.CancelRequested);
        var failed = (await fixture.Client.GetWorkflowHandle(id).EventsAsync()).Single(e => e.EventType == EventType.ActivityTaskFailed);
        Assert.Equal("Heartbeat details exceed size limit.", failed.ActivityTaskFailedEventAttributes.Failure.Message);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task RespondActivityTaskCompletedById_BeforeAnyWorkerTookIt_CompletesWithAStartedEvent()
    {
        var (id, taskQueue) = await StartAsync("complete-by-id");
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, ScheduleActivity("a1", taskQueue + "-nobody-polls")));

        await Raw.RespondActivityTaskCompletedByIdAsync(new() { Namespace = "default", WorkflowId = id, ActivityId = "a1", Identity = "operator" });

        var events = await fixture.Client.GetWorkflowHandle(id).EventsAsync();
        Assert.Equal("operator", events.Single(e => e.EventType == EventType.ActivityTaskStarted).ActivityTaskStartedEventAttributes.Identity);
        Assert.Contains(EventType.ActivityTaskCompleted, events.Types());
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task UpdateWithoutId_IsGivenOne()
    {
        var (id, _) = await StartAsync("update-no-id");
        var response = await Raw.UpdateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = id },
            WaitPolicy = new() { LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Accepted },
            Request = new() { Input = new() { Name = "u" } },
        }, new Temporalio.Client.RpcOptions { Timeout = TimeSpan.FromSeconds(3) });

        Assert.True(Guid.TryParse(response.UpdateRef.UpdateId, out _), $"update id '{response.UpdateRef.UpdateId}'");
        Assert.Equal(UpdateWorkflowExecutionLifecycleStage.Admitted, response.Stage);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task UpdateWithStart_InvalidUpdate_StartsNothing()
    {
        var id = ServerFixture.NewWorkflowId("uws-invalid");
        var refused = await Assert.ThrowsAsync<RpcException>(() => Raw.ExecuteMultiOperationAsync(new()
        {
            Namespace = "default",
            Operations =
            {
                new ExecuteMultiOperationRequest.Types.Operation { StartWorkflow = new()
                {
                    Namespace = "default", WorkflowId = id, WorkflowType = new() { Name = "Raw" }, TaskQueue = RawWorker.NormalQueue("q"),
                    RequestId = Guid.NewGuid().ToString(),
                } },
                new ExecuteMultiOperationRequest.Types.Operation { UpdateWorkflow = new()
                {
                    Namespace = "default", WorkflowExecution = new() { WorkflowId = id }, Request = new() { Meta = new() { UpdateId = "u" } },
                } },
            },
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        var missing = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetWorkflowHandle(id).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task ListAndDescribe_BadFilters_AreRefusedWithTemporalsWords()
    {
        var backwards = await Assert.ThrowsAsync<RpcException>(() => Raw.ListOpenWorkflowExecutionsAsync(new()
        {
            Namespace = "default",
            StartTimeFilter = new() { EarliestTime = Timestamp.FromDateTime(DateTime.UtcNow), LatestTime = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(-1)) },
        }));
        Assert.Equal("EarliestTime in StartTimeFilter should not be larger than LatestTime.", backwards.Message);

        var running = await Assert.ThrowsAsync<RpcException>(() => Raw.ListClosedWorkflowExecutionsAsync(new()
        {
            Namespace = "default",
            StatusFilter = new() { Status = WorkflowExecutionStatus.Running },
        }));
        Assert.Equal("StatusFilter must be specified and must be not Running.", running.Message);

        var both = await Assert.ThrowsAsync<RpcException>(() => Raw.DescribeNamespaceAsync(new() { Namespace = "default", Id = Guid.NewGuid().ToString() }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, both.Code);
    }

    [Fact]
    public async Task ReverseHistory_PageTokenOfAnotherRun_IsRefused()
    {
        var (id, _) = await StartAsync("reverse-token");
        var first = (await Raw.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } })).WorkflowExecutionInfo.Execution.RunId;
        var page = await Raw.GetWorkflowExecutionHistoryReverseAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id, RunId = first }, MaximumPageSize = 1 });
        Assert.False(page.NextPageToken.IsEmpty);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("next run");
        var (_, _) = (id, await Raw.StartWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowId = id,
            WorkflowType = new() { Name = "Raw" },
            TaskQueue = RawWorker.NormalQueue("q"),
            RequestId = Guid.NewGuid().ToString(),
        }));
        var second = (await Raw.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } })).WorkflowExecutionInfo.Execution.RunId;

        var refused = await Assert.ThrowsAsync<RpcException>(() => Raw.GetWorkflowExecutionHistoryReverseAsync(new()
        {
            Namespace = "default",
            Execution = new() { WorkflowId = id, RunId = second },
            NextPageToken = page.NextPageToken,
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    private static Command ScheduleActivity(string id, string taskQueue) => new()
    {
        CommandType = CommandType.ScheduleActivityTask,
        ScheduleActivityTaskCommandAttributes = new ScheduleActivityTaskCommandAttributes
        {
            ActivityId = id,
            ActivityType = new ActivityType { Name = "Raw" },
            TaskQueue = RawWorker.NormalQueue(taskQueue),
            StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
            RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
        },
    };
}
