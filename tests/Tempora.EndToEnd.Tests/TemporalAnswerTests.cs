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

    [Fact]
    public async Task UntypedSearchAttributes_AreReturnedWithTheirRegisteredType()
    {
        var id = ServerFixture.NewWorkflowId("sa-untyped");
        var taskQueue = ServerFixture.NewTaskQueue("sa-untyped");
        var start = new StartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = id,
            WorkflowType = new() { Name = "Raw" },
            TaskQueue = RawWorker.NormalQueue(taskQueue),
            RequestId = Guid.NewGuid().ToString(),
            // As the TypeScript SDK's legacy searchAttributes send them: JSON lists, no `type` metadata.
            SearchAttributes = Untyped(("CustomerId", "[\"c-1\"]"), ("OrderPriority", "[3]")),
        };
        await Raw.StartWorkflowExecutionAsync(start);

        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        AssertTypes(task.History.Events[0].WorkflowExecutionStartedEventAttributes.SearchAttributes, ("CustomerId", "Keyword"), ("OrderPriority", "Int"));
        var upsert = new Command
        {
            CommandType = CommandType.UpsertWorkflowSearchAttributes,
            UpsertWorkflowSearchAttributesCommandAttributes = new() { SearchAttributes = Untyped(("OrderPriority", "7")) },
        };
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, upsert));

        var described = await Raw.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });
        AssertTypes(described.WorkflowExecutionInfo.SearchAttributes, ("CustomerId", "Keyword"), ("OrderPriority", "Int"));
        var history = await Raw.GetWorkflowExecutionHistoryAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });
        AssertTypes(history.History.Events.Single(e => e.EventType == EventType.UpsertWorkflowSearchAttributes)
            .UpsertWorkflowSearchAttributesEventAttributes.SearchAttributes, ("OrderPriority", "Int"));
        var reverse = await Raw.GetWorkflowExecutionHistoryReverseAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });
        AssertTypes(reverse.History.Events.Single(e => e.EventType == EventType.WorkflowExecutionStarted)
            .WorkflowExecutionStartedEventAttributes.SearchAttributes, ("CustomerId", "Keyword"), ("OrderPriority", "Int"));
        // A value that names its type keeps it, and the stored history is not rewritten: a second read answers the same.
        var again = await Raw.GetWorkflowExecutionHistoryAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });
        Assert.Equal(history.History, again.History);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task DescribeSchedule_UntypedSearchAttributes_AreReturnedWithTheirRegisteredType()
    {
        var scheduleId = ServerFixture.NewWorkflowId("sa-untyped-schedule");
        await Raw.CreateScheduleAsync(new()
        {
            Namespace = "default",
            ScheduleId = scheduleId,
            RequestId = Guid.NewGuid().ToString(),
            Schedule = new()
            {
                Spec = new() { Interval = { new Temporalio.Api.Schedule.V1.IntervalSpec { Interval = Duration.FromTimeSpan(TimeSpan.FromHours(1)) } } },
                State = new() { Paused = true },
                Action = new()
                {
                    StartWorkflow = new()
                    {
                        WorkflowId = scheduleId + "-wf",
                        WorkflowType = new() { Name = "Raw" },
                        TaskQueue = RawWorker.NormalQueue("sa-untyped-schedule"),
                        SearchAttributes = Untyped(("OrderPriority", "[5]")),
                    },
                },
            },
            SearchAttributes = Untyped(("CustomerId", "\"c-2\"")),
        });

        var described = await Raw.DescribeScheduleAsync(new() { Namespace = "default", ScheduleId = scheduleId });

        AssertTypes(described.SearchAttributes, ("CustomerId", "Keyword"));
        AssertTypes(described.Schedule.Action.StartWorkflow.SearchAttributes, ("OrderPriority", "Int"));
        await Raw.DeleteScheduleAsync(new() { Namespace = "default", ScheduleId = scheduleId });
    }

    [Fact]
    public async Task DescribeWorkflow_WithoutTimeouts_LeavesThemUnset()
    {
        var (id, _) = await StartAsync("no-timeouts");
        var timed = ServerFixture.NewWorkflowId("run-timeout");
        await Raw.StartWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowId = timed,
            WorkflowType = new() { Name = "Raw" },
            TaskQueue = RawWorker.NormalQueue("run-timeout"),
            RequestId = Guid.NewGuid().ToString(),
            WorkflowRunTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
        });

        var untimed = (await Raw.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } })).ExecutionConfig;
        var withRun = (await Raw.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = timed } })).ExecutionConfig;

        Assert.Null(untimed.WorkflowRunTimeout);
        Assert.Null(untimed.WorkflowExecutionTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), withRun.WorkflowRunTimeout.ToTimeSpan());
        Assert.Null(withRun.WorkflowExecutionTimeout);
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
        await fixture.Client.GetWorkflowHandle(timed).TerminateAsync("done");
    }

    [Fact]
    public async Task TemporalFormatTaskToken_OfAnActivityTemporaDoesNotHave_IsNotFound()
    {
        var namespaceId = (await Raw.DescribeNamespaceAsync(new() { Namespace = "default" })).NamespaceInfo.Id;
        // temporal.server.api.token.v1.Task, as a token saved from a Temporal server (or built by an SDK's tests) reads.
        var token = new MemoryStream();
        var output = new CodedOutputStream(token);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(namespaceId);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(Guid.NewGuid().ToString());
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteString(Guid.NewGuid().ToString());
        output.WriteTag(4, WireFormat.WireType.Varint);
        output.WriteInt64(5);
        output.WriteTag(5, WireFormat.WireType.Varint);
        output.WriteInt32(1);
        output.WriteTag(6, WireFormat.WireType.LengthDelimited);
        output.WriteString("1");
        output.WriteTag(8, WireFormat.WireType.LengthDelimited);
        output.WriteString("completeAsync");
        output.Flush();
        var bytes = ByteString.CopyFrom(token.ToArray());

        var completed = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondActivityTaskCompletedAsync(new() { Namespace = "default", TaskToken = bytes }));
        var failed = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondActivityTaskFailedAsync(new() { Namespace = "default", TaskToken = bytes, Failure = new() { Message = "x" } }));
        var canceled = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondActivityTaskCanceledAsync(new() { Namespace = "default", TaskToken = bytes }));
        var heartbeat = await Assert.ThrowsAsync<RpcException>(() => Raw.RecordActivityTaskHeartbeatAsync(new() { Namespace = "default", TaskToken = bytes }));

        Assert.All([completed, failed, canceled, heartbeat], e => Assert.Equal(RpcException.StatusCode.NotFound, e.Code));
    }

    private static SearchAttributes Untyped(params (string Name, string Json)[] values)
    {
        var attributes = new SearchAttributes();
        foreach (var (name, json) in values)
        {
            attributes.IndexedFields[name] = new Payload
            {
                Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
                Data = ByteString.CopyFromUtf8(json),
            };
        }
        return attributes;
    }

    private static void AssertTypes(SearchAttributes attributes, params (string Name, string Type)[] expected)
    {
        foreach (var (name, type) in expected)
        {
            Assert.Equal(type, attributes.IndexedFields[name].Metadata["type"].ToStringUtf8());
        }
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
