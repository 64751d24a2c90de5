using NexusRpc;
using NexusRpc.Handlers;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Nexus;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Nexus operations with the official .NET SDK on both sides: a caller workflow in the default namespace, the handler
/// (a Nexus service of a worker) in another namespace behind an endpoint. Synchronous and workflow-run operations,
/// failures, retries, cancellation and the schedule-to-close timeout, with the events, links and pending state
/// Temporal 1.28 records. On a cluster the caller's and the handler's runs are on whichever replicas own their shards,
/// and the handler's worker polls the other replica than the caller's.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class NexusOperationTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [NexusService]
    public interface IGreetingService
    {
        [NexusOperation]
        string Greet(string name);
    }

    /// <summary>A service whose one operation is whatever the test hands it.</summary>
    [NexusServiceHandler(typeof(IGreetingService))]
    public sealed class GreetingService(Func<IOperationHandler<string, string>> handler)
    {
        [NexusOperationHandler]
        public IOperationHandler<string, string> Greet() => handler();
    }

    [Workflow]
    public sealed class HandlerWorkflow
    {
        private bool _finish;

        [WorkflowRun]
        public async Task<string> RunAsync(string name)
        {
            if (name.StartsWith("wait", StringComparison.Ordinal))
            {
                await Workflow.WaitConditionAsync(() => _finish);
            }
            if (name == "fail")
            {
                throw new ApplicationFailureException("handler workflow gave up", "GiveUp");
            }
            return $"Hello from a workflow, {name}";
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }
    }

    /// <summary>Two operations at once, both answered by one handler workflow when the handler uses the existing one.</summary>
    [Workflow]
    public sealed class TwoOperationsCallerWorkflow
    {
        [WorkflowRun]
        public async Task<string> RunAsync(string endpoint)
        {
            var client = Workflow.CreateNexusWorkflowClient<IGreetingService>(endpoint);
            var first = await client.StartNexusOperationAsync(svc => svc.Greet("wait-1"));
            var second = await client.StartNexusOperationAsync(svc => svc.Greet("wait-2"));
            return $"{await first.GetResultAsync()} | {await second.GetResultAsync()}";
        }
    }

    /// <summary>The caller: runs one operation on the endpoint and reports its result or what it failed with.</summary>
    [Workflow]
    public sealed class CallerWorkflow
    {
        [WorkflowRun]
        public async Task<string> RunAsync(string endpoint, string name, int timeoutSeconds, bool cancelOnceStarted)
        {
            if (name.StartsWith("big:", StringComparison.Ordinal))
            {
                name = new string('x', int.Parse(name[4..], System.Globalization.CultureInfo.InvariantCulture)); // an input built by the workflow
            }
            var client = Workflow.CreateNexusWorkflowClient<IGreetingService>(endpoint);
            var options = new NexusWorkflowOperationOptions();
            if (timeoutSeconds > 0)
            {
                options.ScheduleToCloseTimeout = TimeSpan.FromSeconds(timeoutSeconds);
            }
            if (name.StartsWith("wait-start-to-close", StringComparison.Ordinal))
            {
                options.StartToCloseTimeout = TimeSpan.FromSeconds(2);
            }
            if (name.StartsWith("schedule-to-start", StringComparison.Ordinal))
            {
                options.ScheduleToStartTimeout = TimeSpan.FromSeconds(2);
            }
            if (!cancelOnceStarted)
            {
                return await client.ExecuteNexusOperationAsync(svc => svc.Greet(name), options);
            }
            using var cancel = new CancellationTokenSource();
            options.CancellationToken = cancel.Token;
            var handle = await client.StartNexusOperationAsync(svc => svc.Greet(name), options);
            cancel.Cancel();
            return await handle.GetResultAsync();
        }
    }

    /// <summary>A handler worker in the extra namespace (through the last replica on a cluster) and its endpoint.</summary>
    private async Task<(TemporalWorker Worker, string Endpoint, TemporalClient HandlerClient)> HandlerAsync(Func<IOperationHandler<string, string>> handler)
    {
        var taskQueue = ServerFixture.NewTaskQueue("nexus-handler");
        var handlerClient = await ServerFixture.ConnectAsync(fixture.AllServers[^1], ServerFixture.ExtraNamespace);
        var worker = new TemporalWorker(handlerClient, new TemporalWorkerOptions(taskQueue)
            .AddNexusService(new GreetingService(handler))
            .AddWorkflow<HandlerWorkflow>());
        var endpoint = $"ep-{Guid.NewGuid():N}";
        await Client.OperatorService.CreateNexusEndpointAsync(new CreateNexusEndpointRequest
        {
            Spec = new Temporalio.Api.Nexus.V1.EndpointSpec
            {
                Name = endpoint,
                Target = new Temporalio.Api.Nexus.V1.EndpointTarget
                {
                    Worker = new Temporalio.Api.Nexus.V1.EndpointTarget.Types.Worker { Namespace = ServerFixture.ExtraNamespace, TaskQueue = taskQueue },
                },
            },
        });
        return (worker, endpoint, handlerClient);
    }

    private static IOperationHandler<string, string> StartsHandlerWorkflow(string workflowId) =>
        WorkflowRunOperationHandler.FromHandleFactory((WorkflowRunOperationContext context, string name) =>
            context.StartWorkflowAsync((HandlerWorkflow wf) => wf.RunAsync(name), new() { Id = workflowId }));

    private static IOperationHandler<string, string> Throws(Exception e) =>
        OperationHandler.Sync<string, string>((Func<OperationStartContext, string, string>)((ctx, name) => throw e));

    private TemporalWorker CallerWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CallerWorkflow>().AddWorkflow<TwoOperationsCallerWorkflow>());

    private async Task<WorkflowHandle> StartCallerAsync(string taskQueue, string endpoint, string name, int timeoutSeconds = 0, bool cancel = false) =>
        await Client.StartWorkflowAsync((CallerWorkflow wf) => wf.RunAsync(endpoint, name, timeoutSeconds, cancel),
            new(ServerFixture.NewWorkflowId("nexus-caller"), taskQueue));

    [Fact]
    public async Task SyncOperation_ReturnsTheHandlersResult_WithScheduledAndCompletedEvents()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => OperationHandler.Sync<string, string>((ctx, name) => $"Hello, {name}"));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var (handle, result) = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "sync");
                return (h, await h.GetResultAsync<string>().WithTimeout("sync Nexus operation"));
            }));

            Assert.Equal("Hello, sync", result);
            var events = await handle.EventsAsync();
            var scheduled = Assert.Single(events, e => e.EventType == EventType.NexusOperationScheduled).NexusOperationScheduledEventAttributes;
            Assert.Equal((endpoint, "GreetingService", "Greet"), (scheduled.Endpoint, scheduled.Service, scheduled.Operation));
            Assert.True(Guid.TryParse(scheduled.EndpointId, out _));
            Assert.True(Guid.TryParse(scheduled.RequestId, out _));
            var completed = Assert.Single(events, e => e.EventType == EventType.NexusOperationCompleted).NexusOperationCompletedEventAttributes;
            Assert.Equal(events.Single(e => e.EventType == EventType.NexusOperationScheduled).EventId, completed.ScheduledEventId);
            Assert.Equal(scheduled.RequestId, completed.RequestId);
            Assert.DoesNotContain(EventType.NexusOperationStarted, events.Types());

            // Counted under Temporal's outbound metric, on whichever replica sent it.
            using var http = new HttpClient();
            var sent = 0.0;
            foreach (var server in fixture.AllServers)
            {
                sent += (await ObservabilityScrape.ScrapeAsync(http, server.MetricsAddress))
                    .Value($"nexus_outbound_requests{{destination=\"{endpoint}\",method=\"StartOperation\",outcome=\"successful\"}}");
            }
            Assert.Equal(1, sent);
        }
    }

    [Fact]
    public async Task WorkflowRunOperation_StartsTheHandlersWorkflow_LinksBothHistories_AndCompletesByCallback()
    {
        var handlerWorkflowId = ServerFixture.NewWorkflowId("nexus-handler-wf");
        var (handlerWorker, endpoint, handlerClient) = await HandlerAsync(() => StartsHandlerWorkflow(handlerWorkflowId));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var (handle, result) = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "async");
                return (h, await h.GetResultAsync<string>().WithTimeout("workflow-run Nexus operation"));
            }));

            Assert.Equal("Hello from a workflow, async", result);
            var events = await handle.EventsAsync();
            Assert.Equal(
                [EventType.NexusOperationScheduled, EventType.NexusOperationStarted, EventType.NexusOperationCompleted],
                events.Types().Where(t => t.ToString().StartsWith("NexusOperation", StringComparison.Ordinal)));
            var scheduledId = events.Single(e => e.EventType == EventType.NexusOperationScheduled).EventId;
            var started = events.Single(e => e.EventType == EventType.NexusOperationStarted);
            Assert.False(string.IsNullOrEmpty(started.NexusOperationStartedEventAttributes.OperationToken));
            var link = Assert.Single(started.Links).WorkflowEvent;
            Assert.Equal((ServerFixture.ExtraNamespace, handlerWorkflowId, 1L, EventType.WorkflowExecutionStarted),
                (link.Namespace, link.WorkflowId, link.EventRef.EventId, link.EventRef.EventType));

            // The handler's workflow links back to the caller's scheduled event and carried the completion callback.
            var handlerRun = handlerClient.GetWorkflowHandle(handlerWorkflowId);
            var handlerStarted = (await handlerRun.EventsAsync())[0];
            // Recorded as the start request carried them: the SDK sends the inbound link twice (its options' links and the
            // ones it forwards from the Nexus request), and Temporal keeps both too.
            Assert.NotEmpty(handlerStarted.Links);
            Assert.All(handlerStarted.Links, back => Assert.Equal(
                ("default", handle.Id, scheduledId, EventType.NexusOperationScheduled),
                (back.WorkflowEvent.Namespace, back.WorkflowEvent.WorkflowId, back.WorkflowEvent.EventRef.EventId, back.WorkflowEvent.EventRef.EventType)));
            var callback = Assert.Single(handlerStarted.WorkflowExecutionStartedEventAttributes.CompletionCallbacks);
            Assert.Equal("temporal://system", callback.Nexus.Url);
            var described = await handlerClient.WorkflowService.DescribeWorkflowExecutionAsync(new()
            {
                Namespace = ServerFixture.ExtraNamespace,
                Execution = new() { WorkflowId = handlerWorkflowId },
            });
            Assert.Equal(CallbackState.Succeeded, Assert.Single(described.Callbacks).State);
        }
    }

    [Fact]
    public async Task WorkflowRunOperation_HandlerWorkflowFails_CallerSeesNexusFailureWithTheApplicationCause()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => StartsHandlerWorkflow(ServerFixture.NewWorkflowId("nexus-failing")));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var (handle, failure) = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "fail");
                return (h, await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("failing operation")));
            }));

            var nexus = Assert.IsType<NexusOperationFailureException>(failure.InnerException);
            Assert.Equal((endpoint, "GreetingService", "Greet"), (nexus.Endpoint, nexus.Service, nexus.Operation));
            var cause = Assert.IsType<ApplicationFailureException>(nexus.InnerException);
            Assert.Equal(("handler workflow gave up", "GiveUp"), (cause.Message, cause.ErrorType));
            Assert.Contains(EventType.NexusOperationFailed, (await handle.EventsAsync()).Types());
        }
    }

    [Fact]
    public async Task SyncOperation_NonRetryableHandlerError_FailsTheOperationAtOnce()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => Throws(new HandlerException(HandlerErrorType.BadRequest, "no such greeting")));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var failure = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "bad");
                return await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("bad request"));
            }));

            var nexus = Assert.IsType<NexusOperationFailureException>(failure.InnerException);
            var handlerError = Assert.IsType<HandlerException>(nexus.InnerException);
            Assert.Equal(HandlerErrorType.BadRequest, handlerError.ErrorType);
            // The worker sent the error as a Temporal failure (the capability the request offers): recorded unwrapped.
            Assert.Equal("no such greeting", handlerError.Message);
        }
    }

    [Fact]
    public async Task SyncOperation_OperationError_FailsWithTheHandlersMessage()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => Throws(OperationException.CreateFailed("greeting refused")));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var failure = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "refused");
                return await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("operation error"));
            }));

            var nexus = Assert.IsType<NexusOperationFailureException>(failure.InnerException);
            var cause = Assert.IsType<ApplicationFailureException>(nexus.InnerException);
            Assert.Equal(("greeting refused", "OperationError"), (cause.Message, cause.ErrorType));
        }
    }

    [Fact]
    public async Task SyncOperation_RetryableHandlerError_IsRetriedUntilItSucceeds()
    {
        var attempts = 0;
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => OperationHandler.Sync<string, string>((ctx, name) =>
            Interlocked.Increment(ref attempts) == 1
                ? throw new HandlerException(HandlerErrorType.Internal, "try again")
                : $"Hello on attempt {attempts}"));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var result = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
                await (await StartCallerAsync(taskQueue, endpoint, "retry")).GetResultAsync<string>().WithTimeout("retried operation")));

            Assert.Equal("Hello on attempt 2", result);
        }
    }

    [Fact]
    public async Task Operation_NoHandlerWorker_TimesOutScheduleToClose_AfterShowingTheFailedAttempts()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => OperationHandler.Sync<string, string>((ctx, name) => name));
        handlerWorker.Dispose(); // never run: nobody polls the endpoint's queue
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);

        var (handle, failure) = await caller.ExecuteAsync(async () =>
        {
            var h = await StartCallerAsync(taskQueue, endpoint, "nobody", timeoutSeconds: 4);
            return (h, await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("operation nobody serves")));
        });

        var nexus = Assert.IsType<NexusOperationFailureException>(failure.InnerException);
        var timeout = Assert.IsType<TimeoutFailureException>(nexus.InnerException);
        Assert.Equal(Temporalio.Api.Enums.V1.TimeoutType.ScheduleToClose, timeout.TimeoutType);
        var timedOut = Assert.Single(await handle.EventsAsync(), e => e.EventType == EventType.NexusOperationTimedOut);
        Assert.Equal("operation timed out", timedOut.NexusOperationTimedOutEventAttributes.Failure.Cause.Message);
    }

    [Fact]
    public async Task Operation_NotStartedInTime_TimesOutScheduleToStart()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => OperationHandler.Sync<string, string>((ctx, name) => name));
        handlerWorker.Dispose();
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);

        var (handle, failure) = await caller.ExecuteAsync(async () =>
        {
            var h = await StartCallerAsync(taskQueue, endpoint, "schedule-to-start", timeoutSeconds: 60);
            return (h, await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("operation not started in time")));
        });

        var timeout = Assert.IsType<TimeoutFailureException>(Assert.IsType<NexusOperationFailureException>(failure.InnerException).InnerException);
        Assert.Equal(Temporalio.Api.Enums.V1.TimeoutType.ScheduleToStart, timeout.TimeoutType);
        var scheduled = (await handle.EventsAsync()).Single(e => e.EventType == EventType.NexusOperationScheduled).NexusOperationScheduledEventAttributes;
        Assert.Equal(TimeSpan.FromSeconds(2), scheduled.ScheduleToStartTimeout.ToTimeSpan());
    }

    [Fact]
    public async Task WorkflowRunOperation_NotFinishedInTime_TimesOutStartToClose()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => StartsHandlerWorkflow(ServerFixture.NewWorkflowId("nexus-slow")));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var (handle, failure) = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "wait-start-to-close", timeoutSeconds: 60);
                return (h, await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("operation not finished in time")));
            }));

            var timeout = Assert.IsType<TimeoutFailureException>(Assert.IsType<NexusOperationFailureException>(failure.InnerException).InnerException);
            Assert.Equal(Temporalio.Api.Enums.V1.TimeoutType.StartToClose, timeout.TimeoutType);
            Assert.Equal([EventType.NexusOperationScheduled, EventType.NexusOperationStarted, EventType.NexusOperationTimedOut],
                (await handle.EventsAsync()).Types().Where(t => t.ToString().StartsWith("NexusOperation", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task PendingOperation_DescribeShowsItsStateAttemptAndLastFailure()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => OperationHandler.Sync<string, string>((ctx, name) => name));
        handlerWorker.Dispose();
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);

        await caller.ExecuteAsync(async () =>
        {
            var h = await StartCallerAsync(taskQueue, endpoint, "pending", timeoutSeconds: 60);
            var pending = (await Wait.UntilAsync(async () =>
            {
                var d = await Client.WorkflowService.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = h.Id } });
                return d.PendingNexusOperations.FirstOrDefault();
            }, op => op is { State: PendingNexusOperationState.BackingOff }, "a pending operation backing off", TimeSpan.FromSeconds(30)))!;
            Assert.Equal((endpoint, "GreetingService", "Greet", 1), (pending.Endpoint, pending.Service, pending.Operation, pending.Attempt));
            Assert.Equal("UPSTREAM_TIMEOUT", pending.LastAttemptFailure.NexusHandlerFailureInfo.Type);
            Assert.NotNull(pending.NextAttemptScheduleTime);
            await h.TerminateAsync("test done");
        });
    }

    [Fact]
    public async Task WorkflowRunOperation_CanceledByTheCaller_CancelsTheHandlersWorkflow()
    {
        var handlerWorkflowId = ServerFixture.NewWorkflowId("nexus-canceled");
        var (handlerWorker, endpoint, handlerClient) = await HandlerAsync(() => StartsHandlerWorkflow(handlerWorkflowId));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var (handle, failure) = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await StartCallerAsync(taskQueue, endpoint, "wait", cancel: true);
                return (h, await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync<string>().WithTimeout("canceled operation")));
            }));

            var nexus = Assert.IsType<NexusOperationFailureException>(failure.InnerException);
            Assert.IsType<CanceledFailureException>(nexus.InnerException);
            var events = await handle.EventsAsync();
            var types = events.Types();
            Assert.Contains(EventType.NexusOperationCancelRequested, types);
            Assert.Contains(EventType.NexusOperationCanceled, types);
            // The handler took the cancel request: recorded, as Temporal 1.29+ does by default.
            var accepted = Assert.Single(events, e => e.EventType == EventType.NexusOperationCancelRequestCompleted);
            Assert.Equal(events.Single(e => e.EventType == EventType.NexusOperationCancelRequested).EventId,
                accepted.NexusOperationCancelRequestCompletedEventAttributes.RequestedEventId);
            Assert.True(accepted.WorkerMayIgnore);
            var handlerFailure = await Assert.ThrowsAsync<WorkflowFailedException>(() =>
                handlerClient.GetWorkflowHandle(handlerWorkflowId).GetResultAsync());
            Assert.IsType<CanceledFailureException>(handlerFailure.InnerException);
        }
    }

    [Fact]
    public async Task WorkflowRunOperation_UseExisting_AttachesTheSecondCallback_AndBothOperationsGetTheOneResult()
    {
        var handlerWorkflowId = ServerFixture.NewWorkflowId("nexus-shared");
        var (handlerWorker, endpoint, handlerClient) = await HandlerAsync(() =>
            WorkflowRunOperationHandler.FromHandleFactory((WorkflowRunOperationContext context, string name) =>
                context.StartWorkflowAsync((HandlerWorkflow wf) => wf.RunAsync(name),
                    new() { Id = handlerWorkflowId, IdConflictPolicy = Temporalio.Api.Enums.V1.WorkflowIdConflictPolicy.UseExisting })));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var result = await handlerWorker.ExecuteAsync(() => caller.ExecuteAsync(async () =>
            {
                var h = await Client.StartWorkflowAsync((TwoOperationsCallerWorkflow wf) => wf.RunAsync(endpoint),
                    new(ServerFixture.NewWorkflowId("nexus-two"), taskQueue));
                var handlerRun = handlerClient.GetWorkflowHandle<HandlerWorkflow>(handlerWorkflowId);
                await Wait.UntilAsync(async () =>
                {
                    try
                    {
                        return (await handlerRun.EventsAsync()).Types();
                    }
                    catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
                    {
                        return []; // not started yet
                    }
                }, types => types.Contains(EventType.WorkflowExecutionOptionsUpdated), "the second operation attached to the handler's workflow");
                await handlerRun.SignalAsync(wf => wf.FinishAsync());
                return await h.GetResultAsync<string>().WithTimeout("two operations on one workflow");
            }));

            Assert.Equal("Hello from a workflow, wait-1 | Hello from a workflow, wait-1", result);
            var handlerEvents = await handlerClient.GetWorkflowHandle(handlerWorkflowId).EventsAsync();
            var attached = Assert.Single(handlerEvents, e => e.EventType == EventType.WorkflowExecutionOptionsUpdated);
            Assert.Single(attached.WorkflowExecutionOptionsUpdatedEventAttributes.AttachedCompletionCallbacks);
            Assert.False(string.IsNullOrEmpty(attached.WorkflowExecutionOptionsUpdatedEventAttributes.AttachedRequestId));
        }
    }

    [Fact]
    public async Task Reset_AfterAnOperationWasScheduled_TheNewRunSendsItAgain_AndCompletesIt()
    {
        var (handlerWorker, endpoint, _) = await HandlerAsync(() => OperationHandler.Sync<string, string>((ctx, name) => $"Hello, {name}"));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        using (handlerWorker)
        {
            var result = await caller.ExecuteAsync(async () =>
            {
                // No handler yet: the operation backs off. A signal (no handler for it in the workflow) makes a later
                // workflow task to reset to, after the Scheduled event.
                var h = await StartCallerAsync(taskQueue, endpoint, "reset", timeoutSeconds: 120);
                await Wait.UntilAsync(async () => (await Client.WorkflowService.DescribeWorkflowExecutionAsync(new()
                {
                    Namespace = "default",
                    Execution = new() { WorkflowId = h.Id },
                })).PendingNexusOperations.FirstOrDefault()?.State, state => state == PendingNexusOperationState.BackingOff, "the operation backing off");
                await h.SignalAsync("Poke", []);
                var completed = await Wait.UntilAsync(async () => (await h.EventsAsync()).LastOrDefault(e => e.EventType == EventType.WorkflowTaskCompleted
                    && e.EventId > 5), e => e is not null, "a workflow task after the signal");
                var reset = await Client.WorkflowService.ResetWorkflowExecutionAsync(new()
                {
                    Namespace = "default",
                    WorkflowExecution = new() { WorkflowId = h.Id },
                    WorkflowTaskFinishEventId = completed!.EventId,
                    RequestId = Guid.NewGuid().ToString(),
                    Reason = "test",
                });
                // The new run carries the pending operation; once a handler serves the endpoint it completes there.
                return await handlerWorker.ExecuteAsync(() =>
                    Client.GetWorkflowHandle(h.Id, reset.RunId).GetResultAsync<string>().WithTimeout("the reset run's operation"));
            });

            Assert.Equal("Hello, reset", result);
        }
    }

    [Fact]
    public async Task ScheduleNexusOperation_UnknownEndpoint_FailsTheWorkflowTask()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var caller = CallerWorker(taskQueue);
        var endpoint = $"ep-missing-{Guid.NewGuid():N}";

        await caller.ExecuteAsync(async () =>
        {
            var h = await StartCallerAsync(taskQueue, endpoint, "nowhere");
            var failed = (await Wait.UntilAsync(async () =>
                (await h.EventsAsync()).FirstOrDefault(e => e.EventType == EventType.WorkflowTaskFailed), e => e is not null,
                "a failed workflow task", TimeSpan.FromSeconds(20)))!;
            Assert.Equal(WorkflowTaskFailedCause.BadScheduleNexusOperationAttributes, failed.WorkflowTaskFailedEventAttributes.Cause);
            Assert.Equal($"endpoint \"{endpoint}\" not found", failed.WorkflowTaskFailedEventAttributes.Failure.Message);
            await h.TerminateAsync("test done");
        });
    }

    [Fact]
    public async Task StartWorkflow_WithANexusSerializationContext_RecordsItAndHandsItBackWithHistoryAndDescribe()
    {
        var id = ServerFixture.NewWorkflowId("nexus-context");
        var context = new Temporalio.Api.Nexus.V1.PropagatedSerializationContext { Endpoint = "ep", Service = "svc", Operation = "op" };
        var started = await Client.WorkflowService.StartWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowId = id,
            WorkflowType = new() { Name = "NoWorkerRunsThis" },
            TaskQueue = new() { Name = ServerFixture.NewTaskQueue() },
            RequestId = Guid.NewGuid().ToString(),
            PropagatedNexusSerializationContext = context,
        });
        // The start answers Temporal's link to the run's first event (a Nexus handler passes it to its caller).
        var link = started.Link.WorkflowEvent;
        Assert.Equal(("default", id, started.RunId, 1L, EventType.WorkflowExecutionStarted),
            (link.Namespace, link.WorkflowId, link.RunId, link.EventRef.EventId, link.EventRef.EventType));

        var history = await Client.WorkflowService.GetWorkflowExecutionHistoryAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });
        Assert.Equal(context, history.History.Events[0].WorkflowExecutionStartedEventAttributes.PropagatedNexusSerializationContext);
        Assert.Equal(context, history.PropagatedNexusSerializationContext);
        var described = await Client.WorkflowService.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });
        Assert.Equal(context, described.WorkflowExtendedInfo.PropagatedNexusSerializationContext);
        await Client.GetWorkflowHandle(id).TerminateAsync("test done");
    }

    [Fact]
    public async Task StartWorkflow_CallbackToAnotherAddress_IsRefused()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.StartWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowId = ServerFixture.NewWorkflowId(),
            WorkflowType = new() { Name = "Anything" },
            TaskQueue = new() { Name = "tq" },
            RequestId = Guid.NewGuid().ToString(),
            CompletionCallbacks = { new Temporalio.Api.Common.V1.Callback { Nexus = new() { Url = "http://example.com/callback" } } },
        }));
        Assert.Equal((RpcException.StatusCode.InvalidArgument, "invalid url: url does not match any configured callback address: http://example.com/callback"),
            (e.Code, e.Message));
    }
}
