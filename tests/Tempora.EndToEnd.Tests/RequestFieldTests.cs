using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Activities;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Request fields (docs/compatibility.md, "Request fields"): those Tempora honours as Temporal does — links on the
/// events a request causes, a start's continued failure and last completion result, cancel/terminate across runs,
/// namespace paging, a task queue's dispatch rate and stats, a task token's namespace — and those it refuses, naming
/// the field, because it does not honour them.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RequestFieldTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    private static Link BatchLink(string job) => new() { BatchJob = new Link.Types.BatchJob { JobId = job } };

    private StartWorkflowExecutionRequest Start(string id) => new()
    {
        Namespace = "default",
        WorkflowId = id,
        WorkflowType = new WorkflowType { Name = "NobodyRunsThis" },
        TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue("fields") },
        RequestId = Guid.NewGuid().ToString(),
    };

    [Fact]
    public async Task Links_OnStartSignalCancelAndTerminate_AreRecordedOnTheirEvents()
    {
        var id = ServerFixture.NewWorkflowId("links");
        var start = Start(id);
        start.Links.Add(BatchLink("start"));
        await Raw.StartWorkflowExecutionAsync(start);
        var execution = new WorkflowExecution { WorkflowId = id };
        await Raw.SignalWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = execution, SignalName = "s", Links = { BatchLink("signal") } });
        await Raw.RequestCancelWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = execution, Links = { BatchLink("cancel") } });
        await Raw.TerminateWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = execution, Links = { BatchLink("terminate") } });

        var events = await fixture.Client.GetWorkflowHandle(id).EventsAsync();
        string Job(EventType type) => Assert.Single(events.Single(e => e.EventType == type).Links).BatchJob.JobId;
        Assert.Equal("start", Job(EventType.WorkflowExecutionStarted));
        Assert.Equal("signal", Job(EventType.WorkflowExecutionSignaled));
        Assert.Equal("cancel", Job(EventType.WorkflowExecutionCancelRequested));
        Assert.Equal("terminate", Job(EventType.WorkflowExecutionTerminated));
    }

    [Fact]
    public async Task Links_MoreThanTenOrOfAnUnsupportedKind_AreRefused()
    {
        var tooMany = Start(ServerFixture.NewWorkflowId("links"));
        tooMany.Links.AddRange(Enumerable.Range(0, 11).Select(i => BatchLink($"job-{i}")));
        var many = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(tooMany));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, many.Code);
        Assert.Contains("more than 10 links", many.Message, StringComparison.Ordinal);

        var unsupported = Start(ServerFixture.NewWorkflowId("links"));
        unsupported.Links.Add(new Link { Activity = new Link.Types.Activity { Namespace = "default", ActivityId = "a" } });
        var kind = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(unsupported));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, kind.Code);
    }

    [Fact]
    public async Task Start_ContinuedFailureAndLastCompletionResult_AreOnTheStartedEvent()
    {
        var id = ServerFixture.NewWorkflowId("continued");
        var start = Start(id);
        start.ContinuedFailure = new Failure { Message = "previous run failed" };
        start.LastCompletionResult = new Payloads { Payloads_ = { new Payload { Data = ByteString.CopyFromUtf8("\"last\"") } } };
        await Raw.StartWorkflowExecutionAsync(start);

        var started = (await fixture.Client.GetWorkflowHandle(id).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal("previous run failed", started.ContinuedFailure.Message);
        Assert.Equal("\"last\"", started.LastCompletionResult.Payloads_[0].Data.ToStringUtf8());
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task Terminate_WithFirstExecutionRunId_AddressesTheCurrentRunOfThatChain()
    {
        var id = ServerFixture.NewWorkflowId("first-run");
        var first = await Raw.StartWorkflowExecutionAsync(Start(id));
        await Raw.TerminateWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = new() { WorkflowId = id, RunId = first.RunId } });
        var second = await Raw.StartWorkflowExecutionAsync(Start(id));

        // The stale run id is ignored: the chain of the given first run is the one addressed, and it is closed.
        var otherChain = await Assert.ThrowsAsync<RpcException>(() => Raw.TerminateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = id, RunId = second.RunId },
            FirstExecutionRunId = first.RunId,
        }));
        Assert.Equal(RpcException.StatusCode.NotFound, otherChain.Code);

        await Raw.TerminateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = id, RunId = first.RunId },
            FirstExecutionRunId = second.RunId,
        });
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await fixture.Client.GetWorkflowHandle(id, second.RunId).DescribeAsync()).Status);
    }

    public static TheoryData<string> Refusals() => [.. RefusedRequests.Keys];

    /// <summary>Each request sets one field this server does not honour; the answer names the field.</summary>
    private static readonly Dictionary<string, (Func<Temporalio.Client.WorkflowService, Task> Call, RpcException.StatusCode Code, string Names)> RefusedRequests = new()
    {
        ["start eager_worker_deployment_options"] = (raw => raw.StartWorkflowExecutionAsync(StartRequest(r => r.EagerWorkerDeploymentOptions = new() { DeploymentName = "d", BuildId = "b" })),
            RpcException.StatusCode.Unimplemented, "eager_worker_deployment_options"),
        ["start completion_callbacks internal"] = (raw => raw.StartWorkflowExecutionAsync(StartRequest(r => r.CompletionCallbacks.Add(new Callback { Internal = new() }))),
            RpcException.StatusCode.Unimplemented, "Internal"),
        ["register is_global_namespace"] = (raw => raw.RegisterNamespaceAsync(new()
        {
            Namespace = ServerFixture.NewWorkflowId("ns"),
            IsGlobalNamespace = true,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1))
        }), RpcException.StatusCode.InvalidArgument, "is_global_namespace"),
        ["register archival"] = (raw => raw.RegisterNamespaceAsync(new()
        {
            Namespace = ServerFixture.NewWorkflowId("ns"),
            HistoryArchivalState = ArchivalState.Enabled,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1))
        }), RpcException.StatusCode.InvalidArgument, "history_archival_state"),
        ["update namespace bad_binaries"] = (raw => raw.UpdateNamespaceAsync(new()
        {
            Namespace = "default",
            Config = new() { BadBinaries = new() { Binaries = { ["abc"] = new() { Reason = "bad" } } } }
        }), RpcException.StatusCode.Unimplemented, "bad_binaries"),
        ["update namespace promote"] = (raw => raw.UpdateNamespaceAsync(new() { Namespace = "default", PromoteNamespace = true }),
            RpcException.StatusCode.InvalidArgument, "promote_namespace"),
        ["update namespace custom_search_attribute_aliases"] = (raw => raw.UpdateNamespaceAsync(new()
        {
            Namespace = "default",
            Config = new() { CustomSearchAttributeAliases = { ["Keyword01"] = "Alias" } }
        }), RpcException.StatusCode.Unimplemented, "custom_search_attribute_aliases"),
        ["update namespace history_archival_uri"] = (raw => raw.UpdateNamespaceAsync(new()
        {
            Namespace = "default",
            Config = new() { HistoryArchivalUri = "file:///tmp/archive" }
        }), RpcException.StatusCode.InvalidArgument, "history_archival_uri"),
        ["update namespace replication state"] = (raw => raw.UpdateNamespaceAsync(new()
        {
            Namespace = "default",
            ReplicationConfig = new() { State = ReplicationState.Handover }
        }), RpcException.StatusCode.Unimplemented, "replication_config.state"),
        ["update-with-start cron"] = (raw => raw.ExecuteMultiOperationAsync(MultiOperation(start => start.CronSchedule = "@hourly")),
            RpcException.StatusCode.InvalidArgument, "CronSchedule"),
        ["update-with-start first_execution_run_id"] = (raw => raw.ExecuteMultiOperationAsync(MultiOperation(update: u => u.FirstExecutionRunId = Guid.NewGuid().ToString())),
            RpcException.StatusCode.InvalidArgument, "FirstExecutionRunId"),
        ["update request.links"] = (raw => raw.UpdateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = "any" },
            Request = new() { Meta = new() { UpdateId = "u" }, Input = new() { Name = "u" }, Links = { BatchLink("x") } }
        }), RpcException.StatusCode.Unimplemented, "request.links"),
#pragma warning disable CS0612 // deprecated in the API, still sent by older SDKs
        ["update waiting for ADMITTED"] = (raw => raw.UpdateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = "any" },
            WaitPolicy = new() { LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Admitted },
            Request = new() { Meta = new() { UpdateId = "u" }, Input = new() { Name = "u" } }
        }), RpcException.StatusCode.PermissionDenied, "update admitted"),
        ["poll use_versioning"] = (raw => raw.PollWorkflowTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = "versioned" },
            WorkerVersionCapabilities = new() { BuildId = "1", UseVersioning = true }
        }), RpcException.StatusCode.Unimplemented, "use_versioning"),
#pragma warning restore CS0612
        ["set current version allow_no_pollers"] = (raw => raw.SetWorkerDeploymentCurrentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentName = "d",
            BuildId = "b",
            AllowNoPollers = true,
        }), RpcException.StatusCode.Unimplemented, "allow_no_pollers"),
        ["set ramping version allow_no_pollers"] = (raw => raw.SetWorkerDeploymentRampingVersionAsync(new()
        {
            Namespace = "default",
            DeploymentName = "d",
            BuildId = "b",
            Percentage = 5,
            AllowNoPollers = true,
        }), RpcException.StatusCode.Unimplemented, "allow_no_pollers"),
        ["describe version report_task_queue_stats"] = (raw => raw.DescribeWorkerDeploymentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentVersion = new() { DeploymentName = "d", BuildId = "b" },
            ReportTaskQueueStats = true,
        }), RpcException.StatusCode.Unimplemented, "report_task_queue_stats"),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task UnsupportedField_IsRefusedNamingTheField(string request)
    {
        var (call, code, names) = RefusedRequests[request];
        var refused = await Assert.ThrowsAsync<RpcException>(() => call(Raw));
        Assert.Equal(code, refused.Code);
        // Update-with-start names the field in the refused operation's own status, as Temporal does.
        var message = refused.GrpcStatus.Value?.Details.FirstOrDefault(d => d.Is(MultiOperationExecutionFailure.Descriptor))
            ?.Unpack<MultiOperationExecutionFailure>().Statuses.Single(st => st.Code == (int)code).Message ?? refused.Message;
        Assert.Contains(names, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskToken_FromAnotherNamespace_IsRefused()
    {
        var taskQueue = ServerFixture.NewTaskQueue("token-ns");
        var start = StartRequest(r => r.TaskQueue.Name = taskQueue);
        await Raw.StartWorkflowExecutionAsync(start);
        var task = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        var completion = RawWorker.Completion(task.TaskToken, RawWorker.CompleteCommand("done"));
        completion.Namespace = ServerFixture.ExtraNamespace;

        var refused = await Assert.ThrowsAsync<RpcException>(() => Raw.RespondWorkflowTaskCompletedAsync(completion));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        Assert.Contains("different namespace", refused.Message, StringComparison.Ordinal);
        completion.Namespace = "default";
        await Raw.RespondWorkflowTaskCompletedAsync(completion);
    }

    [Fact]
    public async Task ReturnNewWorkflowTask_CompletionThatSchedulesATask_GetsItBackStarted()
    {
        var taskQueue = ServerFixture.NewTaskQueue("inline");
        var start = StartRequest(r => r.TaskQueue.Name = taskQueue);
        await Raw.StartWorkflowExecutionAsync(start);
        var first = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        // A signal arriving while the task runs is buffered: the completion has to schedule another task for it.
        await Raw.SignalWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = new() { WorkflowId = start.WorkflowId }, SignalName = "poke" });
        var completion = RawWorker.Completion(first.TaskToken);
        completion.ReturnNewWorkflowTask = true;
        completion.StickyAttributes = new() { WorkerTaskQueue = new() { Name = taskQueue + "-sticky", Kind = TaskQueueKind.Sticky } };

        var response = await Raw.RespondWorkflowTaskCompletedAsync(completion);

        var next = response.WorkflowTask;
        Assert.False(next.TaskToken.IsEmpty);
        Assert.Equal(first.StartedEventId, next.PreviousStartedEventId);
        // Only what the worker has not seen: the completion, the signal, and the new task's two events.
        Assert.Equal([EventType.WorkflowTaskCompleted, EventType.WorkflowExecutionSignaled, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted],
            next.History.Events.Select(e => e.EventType));
        Assert.Equal(next.StartedEventId, next.History.Events[^1].EventId);
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(next.TaskToken, RawWorker.CompleteCommand("done")));
        Assert.Equal(WorkflowExecutionStatus.Completed, (await fixture.Client.GetWorkflowHandle(start.WorkflowId).DescribeAsync()).Status);
    }

    [Fact]
    public async Task ReturnNewWorkflowTask_AfterAcceptingAnUpdate_DoesNotDeliverItAgain()
    {
        var taskQueue = ServerFixture.NewTaskQueue("inline-update");
        var start = StartRequest(r => r.TaskQueue.Name = taskQueue);
        await Raw.StartWorkflowExecutionAsync(start);
        var first = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue);
        await Raw.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(first.TaskToken));

        var update = Raw.UpdateWorkflowExecutionAsync(new UpdateWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = start.WorkflowId },
            WaitPolicy = new() { LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Accepted },
            Request = new() { Meta = new() { UpdateId = "inline-u1" }, Input = new() { Name = "bump" } },
        });
        var second = await RawWorker.PollWorkflowTaskAsync(fixture.Client, taskQueue).WithTimeout("the update's task");
        var request = Assert.Single(second.Messages);
        // A signal while the task runs: its completion has to schedule another task, returned inline.
        await Raw.SignalWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = new() { WorkflowId = start.WorkflowId }, SignalName = "poke" });
        var completion = RawWorker.Completion(second.TaskToken);
        completion.ReturnNewWorkflowTask = true;
        completion.Messages.Add(new Temporalio.Api.Protocol.V1.Message
        {
            Id = "inline-u1/accept",
            ProtocolInstanceId = "inline-u1",
            Body = Any.Pack(new Temporalio.Api.Update.V1.Acceptance
            {
                AcceptedRequestMessageId = request.Id,
                AcceptedRequestSequencingEventId = request.EventId,
                AcceptedRequest = request.Body.Unpack<Temporalio.Api.Update.V1.Request>(),
            }),
        });

        var response = await Raw.RespondWorkflowTaskCompletedAsync(completion);

        Assert.Equal(UpdateWorkflowExecutionLifecycleStage.Accepted, (await update.WithTimeout("the acceptance")).Stage);
        var next = response.WorkflowTask;
        Assert.False(next.TaskToken.IsEmpty);
        Assert.Contains(next.History.Events, e => e.EventType == EventType.WorkflowExecutionSignaled);
        // The worker runs the handler of every update request it is sent: an accepted one must not come again.
        Assert.Empty(next.Messages);
        await Raw.TerminateWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = new() { WorkflowId = start.WorkflowId } });
    }

    [Fact]
    public async Task ListNamespaces_OneAPage_ReturnsEachNamespaceOnce()
    {
        var names = new List<string>();
        var token = ByteString.Empty;
        do
        {
            var page = await Raw.ListNamespacesAsync(new() { PageSize = 1, NextPageToken = token });
            Assert.True(page.Namespaces.Count <= 1);
            names.AddRange(page.Namespaces.Select(n => n.NamespaceInfo.Name));
            token = page.NextPageToken;
        }
        while (!token.IsEmpty);
        Assert.Contains("default", names);
        Assert.Contains(ServerFixture.ExtraNamespace, names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task DescribeTaskQueue_ReportStats_GivesTheBacklog()
    {
        var taskQueue = ServerFixture.NewTaskQueue("stats");
        await Raw.StartWorkflowExecutionAsync(StartRequest(r => r.TaskQueue.Name = taskQueue));
        await Raw.StartWorkflowExecutionAsync(StartRequest(r => r.TaskQueue.Name = taskQueue));

        var described = await Raw.DescribeTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = taskQueue }, ReportStats = true });
        Assert.Equal(2, described.Stats.ApproximateBacklogCount);
    }

    [Fact]
    public async Task MaxTaskQueueActivitiesPerSecond_SpacesOutActivityDispatch()
    {
        var taskQueue = ServerFixture.NewTaskQueue("rate");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue) { MaxTaskQueueActivitiesPerSecond = 2 }
            .AddWorkflow<FanOutWorkflow>()
            .AddActivity(FanOutWorkflow.Stamp));
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("rate");
            var handle = await fixture.Client.StartWorkflowAsync((FanOutWorkflow wf) => wf.RunAsync(7), new(id, taskQueue));
            await handle.GetResultAsync().WithTimeout("seven activities");
            var starts = FanOutWorkflow.Starts[id].Order().ToList();
            // Two at once (a second's worth), then one each half second: the last is handed out 2.5 s after the first
            // two. Asking only a second of spread leaves room for a worker that runs its first activities late under
            // load (the stamps are taken when the activity runs, not when the server hands it out).
            Assert.True(starts[^1] - starts[0] >= TimeSpan.FromSeconds(1), $"activities started within {(starts[^1] - starts[0]).TotalMilliseconds} ms");
        });
    }

    private static StartWorkflowExecutionRequest StartRequest(Action<StartWorkflowExecutionRequest>? configure = null)
    {
        var request = new StartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = ServerFixture.NewWorkflowId("fields"),
            WorkflowType = new WorkflowType { Name = "NobodyRunsThis" },
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue("fields") },
            RequestId = Guid.NewGuid().ToString(),
        };
        configure?.Invoke(request);
        return request;
    }

    private static ExecuteMultiOperationRequest MultiOperation(Action<StartWorkflowExecutionRequest>? start = null,
        Action<UpdateWorkflowExecutionRequest>? update = null)
    {
        var startRequest = StartRequest(start);
        var updateRequest = new UpdateWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = startRequest.WorkflowId },
            Request = new() { Meta = new() { UpdateId = "u" }, Input = new() { Name = "u" } },
        };
        update?.Invoke(updateRequest);
        return new ExecuteMultiOperationRequest
        {
            Namespace = "default",
            Operations = { new ExecuteMultiOperationRequest.Types.Operation { StartWorkflow = startRequest },
                new ExecuteMultiOperationRequest.Types.Operation { UpdateWorkflow = updateRequest } },
        };
    }

    /// <summary>Runs <c>n</c> activities at once; each records when it started.</summary>
    [Workflow]
    public class FanOutWorkflow
    {
        public static readonly ConcurrentDictionary<string, ConcurrentBag<DateTime>> Starts = new();

        [Activity]
        public static void Stamp() =>
            Starts.GetOrAdd(ActivityExecutionContext.Current.Info.WorkflowId!, _ => []).Add(DateTime.UtcNow);

        [WorkflowRun]
        public Task RunAsync(int n) => Workflow.WhenAllAsync(Enumerable.Range(0, n).Select(_ =>
            Workflow.ExecuteActivityAsync(() => Stamp(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) })));
    }
}
