using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using UserMetadata = Temporalio.Api.Sdk.V1.UserMetadata;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Temporal's default size limits on the fields that escaped them: headers (the 2 MiB blob limit), user metadata
/// (400 B summary, 20 000 B details) and search attributes (100 keys, 2 KiB per value), on requests (InvalidArgument)
/// and on workflow commands (the task fails with the command's BAD_*_ATTRIBUTES cause; a size over a limit also
/// terminates the run, temporal-compat.md §3.3 rule 6).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PayloadLimitTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    /// <summary>2.5 MiB: over the 2 MiB blob limit, under the 4 MiB request limit.</summary>
    private static Header OversizeHeader() => new()
    {
        Fields = { ["big"] = new Payload { Data = ByteString.CopyFrom(new byte[(2 * 1024 * 1024) + (512 * 1024)]) } },
    };

    private static Payload Json(string value) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8($"\"{value}\""),
    };

    private static StartWorkflowExecutionRequest StartRequest(string prefix) => new()
    {
        Namespace = "default",
        WorkflowId = ServerFixture.NewWorkflowId(prefix),
        WorkflowType = new WorkflowType { Name = "Raw" },
        TaskQueue = RawWorker.NormalQueue(ServerFixture.NewTaskQueue(prefix)),
        RequestId = Guid.NewGuid().ToString(),
    };

    private async Task AssertRefusedAsync(Func<Task> call, string message, string? workflowId = null)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Equal(message, e.Message);
        if (workflowId is not null)
        {
            var notFound = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetWorkflowHandle(workflowId).DescribeAsync());
            Assert.Equal(RpcException.StatusCode.NotFound, notFound.Code);
        }
    }

    [Fact]
    public async Task StartWorkflow_HeaderOverBlobLimit_InvalidArgumentAndNoWorkflow()
    {
        var request = StartRequest("header-start");
        request.Header = OversizeHeader();

        await AssertRefusedAsync(() => Raw.StartWorkflowExecutionAsync(request), "Blob data size exceeds limit (header).", request.WorkflowId);
    }

    [Fact]
    public async Task SignalWorkflow_HeaderOverBlobLimit_InvalidArgumentAndNoSignal()
    {
        var start = StartRequest("header-signal");
        await Raw.StartWorkflowExecutionAsync(start);

        await AssertRefusedAsync(() => Raw.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = start.WorkflowId },
            SignalName = "s",
            Header = OversizeHeader(),
            RequestId = Guid.NewGuid().ToString(),
        }), "Blob data size exceeds limit (header).");

        var handle = fixture.Client.GetWorkflowHandle(start.WorkflowId);
        Assert.DoesNotContain(EventType.WorkflowExecutionSignaled, (await handle.EventsAsync()).Types());
        await handle.TerminateAsync("done");
    }

    [Fact]
    public async Task StartWorkflow_SummaryOver400Bytes_InvalidArgumentInTemporalWords()
    {
        var request = StartRequest("summary-start");
        request.UserMetadata = new UserMetadata { Summary = Json(new string('s', 500)) };

        await AssertRefusedAsync(() => Raw.StartWorkflowExecutionAsync(request),
            $"user_metadata.summary exceeds size limit. Length={request.UserMetadata.Summary.CalculateSize()} Limit=400", request.WorkflowId);
    }

    [Fact]
    public async Task StartWorkflow_DetailsOver20000Bytes_InvalidArgumentInTemporalWords()
    {
        var request = StartRequest("details-start");
        request.UserMetadata = new UserMetadata { Details = Json(new string('d', 20_001)) };

        await AssertRefusedAsync(() => Raw.StartWorkflowExecutionAsync(request),
            $"user_metadata.details exceeds size limit. Length={request.UserMetadata.Details.CalculateSize()} Limit=20000", request.WorkflowId);
    }

    [Fact]
    public async Task StartWorkflow_101SearchAttributes_InvalidArgumentInTemporalWords()
    {
        var request = StartRequest("sa-count-start");
        request.SearchAttributes = new SearchAttributes();
        for (var i = 0; i < 101; i++)
        {
            request.SearchAttributes.IndexedFields[$"Attribute{i}"] = Json("v");
        }

        await AssertRefusedAsync(() => Raw.StartWorkflowExecutionAsync(request), "number of search attributes 101 exceeds limit 100", request.WorkflowId);
    }

    [Fact]
    public async Task StartWorkflow_SearchAttributeValueOver2KiB_InvalidArgumentInTemporalWords()
    {
        var request = StartRequest("sa-value-start");
        var value = Json(new string('c', 3000));
        request.SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = value } };

        await AssertRefusedAsync(() => Raw.StartWorkflowExecutionAsync(request),
            $"search attribute CustomerId value size {value.Data.Length} exceeds size limit 2048", request.WorkflowId);
    }

    [Fact]
    public async Task SignalWithStart_SearchAttributeValueOver2KiB_InvalidArgumentAndNoWorkflow()
    {
        var start = StartRequest("sa-value-sws");
        var value = Json(new string('c', 3000));

        await AssertRefusedAsync(() => Raw.SignalWithStartWorkflowExecutionAsync(new SignalWithStartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = start.WorkflowId,
            WorkflowType = start.WorkflowType,
            TaskQueue = start.TaskQueue,
            RequestId = start.RequestId,
            SignalName = "s",
            SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = value } },
        }), $"search attribute CustomerId value size {value.Data.Length} exceeds size limit 2048", start.WorkflowId);
    }

    [Fact]
    public async Task ScheduleActivityCommand_HeaderOverBlobLimit_TaskFailedAndWorkflowTerminated()
    {
        var command = new Command
        {
            CommandType = CommandType.ScheduleActivityTask,
            ScheduleActivityTaskCommandAttributes = new ScheduleActivityTaskCommandAttributes
            {
                ActivityId = "a1",
                ActivityType = new ActivityType { Name = "A" },
                StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
                Header = OversizeHeader(),
            },
        };

        await AssertCommandTerminatesAsync("header-activity", command, WorkflowTaskFailedCause.BadScheduleActivityAttributes,
            "Blob data size exceeds limit.");
    }

    [Fact]
    public async Task ContinueAsNewCommand_HeaderOverBlobLimit_TaskFailedAndWorkflowTerminated()
    {
        var command = new Command
        {
            CommandType = CommandType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionCommandAttributes = new ContinueAsNewWorkflowExecutionCommandAttributes
            {
                WorkflowType = new WorkflowType { Name = "Raw" },
                Header = OversizeHeader(),
            },
        };

        await AssertCommandTerminatesAsync("header-can", command, WorkflowTaskFailedCause.BadContinueAsNewAttributes, "Blob data size exceeds limit.");
    }

    [Fact]
    public async Task StartTimerCommand_SummaryOver400Bytes_TaskFailedAndWorkflowTerminated()
    {
        var command = RawWorker.TimerCommand("t1", TimeSpan.FromMinutes(1));
        command.UserMetadata = new UserMetadata { Summary = Json(new string('s', 500)) };

        await AssertCommandTerminatesAsync("summary-timer", command, WorkflowTaskFailedCause.BadStartTimerAttributes,
            $"user_metadata.summary exceeds size limit. Length={command.UserMetadata.Summary.CalculateSize()} Limit=400");
    }

    [Fact]
    public async Task UpsertSearchAttributesCommand_ValueOver2KiB_TaskFailedAndWorkflowTerminated()
    {
        var value = Json(new string('c', 3000));
        var command = new Command
        {
            CommandType = CommandType.UpsertWorkflowSearchAttributes,
            UpsertWorkflowSearchAttributesCommandAttributes = new UpsertWorkflowSearchAttributesCommandAttributes
            {
                SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = value } },
            },
        };

        await AssertCommandTerminatesAsync("sa-value-upsert", command, WorkflowTaskFailedCause.BadSearchAttributes,
            $"search attribute CustomerId value size {value.Data.Length} exceeds size limit 2048");
    }

    [Fact]
    public async Task StartChildCommand_SearchAttributeValueOver2KiB_TaskFailedAndWorkflowTerminated()
    {
        var value = Json(new string('c', 3000));
        var command = new Command
        {
            CommandType = CommandType.StartChildWorkflowExecution,
            StartChildWorkflowExecutionCommandAttributes = new StartChildWorkflowExecutionCommandAttributes
            {
                WorkflowId = ServerFixture.NewWorkflowId("child"),
                WorkflowType = new WorkflowType { Name = "Raw" },
                SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = value } },
            },
        };

        await AssertCommandTerminatesAsync("sa-value-child", command, WorkflowTaskFailedCause.BadStartChildExecutionAttributes,
            $"search attribute CustomerId value size {value.Data.Length} exceeds size limit 2048");
    }

    [Fact]
    public async Task UpsertSearchAttributesCommand_101Keys_TaskFailedWithBadSearchAttributesAndRunOpen()
    {
        var attributes = new SearchAttributes();
        for (var i = 0; i < 101; i++)
        {
            attributes.IndexedFields[$"Attribute{i}"] = Json("v");
        }
        var command = new Command
        {
            CommandType = CommandType.UpsertWorkflowSearchAttributes,
            UpsertWorkflowSearchAttributesCommandAttributes = new UpsertWorkflowSearchAttributesCommandAttributes { SearchAttributes = attributes },
        };

        var (handle, events) = await CompleteWithAsync("sa-count-upsert", command);

        var failed = events.Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal(WorkflowTaskFailedCause.BadSearchAttributes, failed.Cause);
        Assert.Contains("number of search attributes 101 exceeds limit 100", failed.Failure.Message, StringComparison.Ordinal);
        // Too many keys is a validation failure, as in Temporal: the task is retried, the run stays open.
        Assert.DoesNotContain(EventType.WorkflowExecutionTerminated, events.Types());
        await handle.TerminateAsync("done");
    }

    [Fact]
    public async Task ActivityWithSummaryOver400Bytes_SdkWorkflow_TerminatedWithBadScheduleActivityAttributes()
    {
        var taskQueue = ServerFixture.NewTaskQueue("summary-sdk");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<LongSummaryWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((LongSummaryWorkflow wf) => wf.RunAsync(),
                new(ServerFixture.NewWorkflowId("summary-sdk"), taskQueue));

            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WithTimeout("the run to be terminated"));
            Assert.IsType<TerminatedFailureException>(e.InnerException);
            var events = await handle.EventsAsync();
            var failed = events.Single(ev => ev.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.BadScheduleActivityAttributes, failed.Cause);
            Assert.StartsWith("user_metadata.summary exceeds size limit.", events[^1].WorkflowExecutionTerminatedEventAttributes.Reason, StringComparison.Ordinal);
        });
    }

    [Workflow]
    public class LongSummaryWorkflow
    {
        /// <summary>The activity is never registered: the command is refused before anything could run it.</summary>
        [WorkflowRun]
        public Task RunAsync() => Workflow.ExecuteActivityAsync("NoSuchActivity", [],
            new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), Summary = new string('s', 500) });
    }

    [Fact]
    public async Task UpdateRejection_FailureOverBlobLimit_WorkflowTerminated()
    {
        var taskQueue = ServerFixture.NewTaskQueue("rejection-oversize");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<HugeRejectionWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((HugeRejectionWorkflow wf) => wf.RunAsync(),
                new(ServerFixture.NewWorkflowId("rejection-oversize"), taskQueue));
            await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskCompleted);

            // The caller learns nothing of a rejection the server could not keep; the run is gone.
            await Assert.ThrowsAnyAsync<Exception>(() => handle.ExecuteUpdateAsync(wf => wf.UpdateAsync()).WithTimeout("the update to end"));

            var e = await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync().WithTimeout("the run to be terminated"));
            Assert.IsType<TerminatedFailureException>(e.InnerException);
            // The rejection came in a speculative task, whose failure (like any of its events) is not written.
            var events = await handle.EventsAsync();
            Assert.Equal("Message type temporal.api.update.v1.Rejection exceeds size limit.", events[^1].WorkflowExecutionTerminatedEventAttributes.Reason);
        });
    }

    [Workflow]
    public class HugeRejectionWorkflow
    {
        [WorkflowRun]
        public Task RunAsync() => Workflow.WaitConditionAsync(() => false);

        [WorkflowUpdateValidator(nameof(UpdateAsync))]
        public void Validate() =>
            throw new ApplicationFailureException("rejected", details: [new string('r', (2 * 1024 * 1024) + (512 * 1024))]);

        [WorkflowUpdate]
        public Task UpdateAsync() => Task.CompletedTask;
    }

    [Fact]
    public async Task RespondActivityTaskFailed_HeartbeatDetailsOverBlobLimit_DroppedAndFailureKept()
    {
        var start = StartRequest("heartbeat-dropped");
        await Raw.StartWorkflowExecutionAsync(start);
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, start.TaskQueue.Name);
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, new Command
        {
            CommandType = CommandType.ScheduleActivityTask,
            ScheduleActivityTaskCommandAttributes = new ScheduleActivityTaskCommandAttributes
            {
                ActivityId = "a1",
                ActivityType = new ActivityType { Name = "A" },
                StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
                RetryPolicy = new RetryPolicy { InitialInterval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)), MaximumAttempts = 2 },
            },
        }));
        var poll = new PollActivityTaskQueueRequest { Namespace = "default", TaskQueue = start.TaskQueue, Identity = "raw" };
        var first = await Raw.PollActivityTaskQueueAsync(poll);

        await Raw.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedRequest
        {
            Namespace = "default",
            TaskToken = first.TaskToken,
            Failure = new Temporalio.Api.Failure.V1.Failure { Message = "attempt 1 failed", ApplicationFailureInfo = new() },
            LastHeartbeatDetails = new Payloads { Payloads_ = { OversizeHeader().Fields["big"] } },
        });

        // The retry comes without the details Temporal's frontend would not keep either.
        var second = await Raw.PollActivityTaskQueueAsync(poll);
        Assert.Equal(2, second.Attempt);
        Assert.Null(second.HeartbeatDetails);
        await fixture.Client.GetWorkflowHandle(start.WorkflowId).TerminateAsync("done");
    }

    /// <summary>Starts a raw run, completes its first task with <paramref name="command"/>; returns its events after.</summary>
    private async Task<(WorkflowHandle Handle, IReadOnlyList<HistoryEvent> Events)> CompleteWithAsync(string prefix, Command command)
    {
        var start = StartRequest(prefix);
        await Raw.StartWorkflowExecutionAsync(start);
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, start.TaskQueue.Name);
        var refused = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, command)));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        var handle = fixture.Client.GetWorkflowHandle(start.WorkflowId);
        return (handle, await handle.EventsAsync());
    }

    private async Task AssertCommandTerminatesAsync(string prefix, Command command, WorkflowTaskFailedCause cause, string reason)
    {
        var (_, events) = await CompleteWithAsync(prefix, command);

        var failed = events.Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal(cause, failed.Cause);
        Assert.Equal(EventType.WorkflowExecutionTerminated, events[^1].EventType);
        Assert.Equal(reason, events[^1].WorkflowExecutionTerminatedEventAttributes.Reason);
    }
}
