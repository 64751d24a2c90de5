using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Metrics;
using Tempora.Core.Nexus;
using Tempora.History.Execution;
using Tempora.History.Nexus;
using Tempora.History.Queues;
using Tempora.Persistence;
using Tempora.Persistence.Nexus;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.Nexus.V1;
using Failure = Temporalio.Api.Failure.V1.Failure;
using Link = Temporalio.Api.Common.V1.Link;

namespace Tempora.History.Api;

/// <summary>
/// Sends a Nexus operation's start and cancel requests to the handler workers of its endpoint's target, and records
/// what they answered on the caller's run (Temporal's nexusoperations executors). Runs on the process that owns the
/// caller's shard: the request waits there in matching for a poll, and the worker's answer is routed back there.
/// Each request is sent at least once per attempt; the handler deduplicates starts by the operation's request id.
/// </summary>
internal sealed class NexusOperationHandler(
    IExecutionStore store, NamespaceRegistry namespaces, INexusEndpointStore? endpoints, INexusTaskDispatcher? dispatcher,
    CrossRunSteps steps, TimeProvider time, PayloadLimits limits, ISystemNexusOperations? system, IMetrics metrics)
{
    /// <summary>What a start or cancel request needs of the operation, copied under the run's lock.</summary>
    private sealed record Args(
        string Endpoint, string EndpointId, string Service, string Operation, Payload? Input, Dictionary<string, string> Header,
        string RequestId, DateTimeOffset ScheduledTime, TimeSpan ScheduleToClose, TimeSpan ScheduleToStart, string OperationToken);

    public async Task InvokeAsync(TransferTaskRecord task, TransferTaskInfo info, CancellationToken ct)
    {
        var key = task.Key;
        var args = await steps.TryReadAsync(key, s => s.IsOpen && s.NexusOperations.TryGetValue(info.EventId, out var op)
            && op.State == NexusOperationState.Scheduled && op.Attempt == info.Attempt ? ArgsOf(op) : null, ct);
        if (args is null)
        {
            await store.DeleteTransferTasksAsync([task.TaskId], ct);
            return;
        }
        var record = await StartAsync(key, info.EventId, args, ct);
        await steps.FinishOnRunAsync(key, task, t =>
        {
            if (t.State.NexusOperations.TryGetValue(info.EventId, out var op) && op.State == NexusOperationState.Scheduled && op.Attempt == info.Attempt)
            {
                record(t, op);
            }
        }, ct);
    }

    public async Task CancelAsync(TransferTaskRecord task, TransferTaskInfo info, CancellationToken ct)
    {
        var key = task.Key;
        var args = await steps.TryReadAsync(key, s => s.IsOpen && s.NexusOperations.TryGetValue(info.EventId, out var op) && op.IsStarted
            && op.Cancellation is { State: NexusCancellationState.Scheduled } c && c.Attempt == info.Attempt ? ArgsOf(op) : null, ct);
        if (args is null)
        {
            await store.DeleteTransferTasksAsync([task.TaskId], ct);
            return;
        }
        var (failure, retryable) = await SendCancelAsync(key, info.EventId, args, ct);
        await steps.FinishOnRunAsync(key, task, t =>
        {
            if (t.State.NexusOperations.TryGetValue(info.EventId, out var op)
                && op.Cancellation is { State: NexusCancellationState.Scheduled } c && c.Attempt == info.Attempt)
            {
                t.NexusCancellationAnswered(op, failure, retryable);
            }
        }, ct);
    }

    private static Args ArgsOf(NexusOperationInfo op) => new(op.Endpoint, op.EndpointId, op.Service, op.Operation, op.Input,
        new Dictionary<string, string>(op.Header), op.RequestId, op.ScheduledTime, op.ScheduleToCloseTimeout, op.ScheduleToStartTimeout,
        op.OperationToken);

    /// <summary>Sends one start request and answers how to record its outcome.</summary>
    private async Task<Action<Transition, NexusOperationInfo>> StartAsync(WorkflowKey caller, long scheduledEventId, Args args, CancellationToken ct)
    {
        if (args.Endpoint == SystemNexusEndpoint.Name)
        {
            return await StartSystemOperationAsync(caller, args, ct);
        }
        var (target, problem) = await TargetAsync(args, ct);
        if (target is null)
        {
            return (t, op) => t.RecordNexusOperationFailed(op, problem!);
        }
        var remaining = RemainingTime(args);
        if (remaining is { } left && left <= TimeSpan.Zero)
        {
            // The schedule-to-close timer is due and will end the operation.
            var late = UpstreamTimeout();
            return (t, op) => t.NexusOperationAttemptFailed(op, late);
        }
        var callerNamespace = await namespaces.GetByIdAsync(caller.NamespaceId, ct);
        var start = new StartOperationRequest
        {
            Service = args.Service,
            Operation = args.Operation,
            RequestId = args.RequestId,
            Callback = NexusCallbackToken.SystemCallbackUrl,
            CallbackHeader =
            {
                [NexusCallbackToken.HeaderName] = new NexusCallbackToken(caller.NamespaceId, caller.WorkflowId, caller.RunId,
                    scheduledEventId, args.RequestId).Serialize(),
            },
            Payload = args.Input,
            Links =
            {
                NexusLinks.ToNexus(new Link.Types.WorkflowEvent
                {
                    Namespace = callerNamespace.Name,
                    WorkflowId = caller.WorkflowId,
                    RunId = caller.RunId,
                    EventRef = new Link.Types.WorkflowEvent.Types.EventReference
                    {
                        EventId = scheduledEventId,
                        EventType = EventType.NexusOperationScheduled,
                    },
                }),
            },
        };
        var request = new Request
        {
            ScheduledTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Endpoint = args.Endpoint,
            Capabilities = FailureCapabilities,
            StartOperation = start,
        };
        foreach (var (name, value) in args.Header)
        {
            request.Header[name.ToLowerInvariant()] = value;
        }
        if (remaining is { } operationTimeout)
        {
            request.Header["operation-timeout"] = $"{(long)operationTimeout.TotalMilliseconds}ms";
        }
        // The request also ends when the operation must have started by (its schedule-to-start timeout).
        var untilStartDeadline = args.ScheduleToStart > TimeSpan.Zero ? args.ScheduledTime + args.ScheduleToStart - time.GetUtcNow() : (TimeSpan?)null;
        var requestTimeout = Min(Min(HistoryLimits.NexusRequestTimeout, remaining), untilStartDeadline);
        if (requestTimeout <= TimeSpan.Zero)
        {
            var late = UpstreamTimeout();
            return (t, op) => t.NexusOperationAttemptFailed(op, late);
        }
        var outcome = await SendAsync(target, caller, scheduledEventId, request, requestTimeout, ct);
        return RecordStart(outcome);
    }

    /// <summary>An operation of the system endpoint, run by the server itself in the caller's namespace.</summary>
    private async Task<Action<Transition, NexusOperationInfo>> StartSystemOperationAsync(WorkflowKey caller, Args args, CancellationToken ct)
    {
        if (system is null)
        {
            throw new UnavailableException("The system Nexus endpoint is not available on this server.");
        }
        var callerNamespace = await namespaces.GetByIdAsync(caller.NamespaceId, ct);
        var start = new StartOperationRequest
        {
            Service = args.Service,
            Operation = args.Operation,
            RequestId = args.RequestId,
            Payload = args.Input,
        };
        return RecordStart(await system.StartAsync(callerNamespace.Name, start, ct));
    }

    /// <summary>How a handler's answer to a start request ends up in the caller's history (Temporal's saveResult).</summary>
    private Action<Transition, NexusOperationInfo> RecordStart(NexusTaskOutcome outcome)
    {
        if (outcome.TimedOut)
        {
            var timedOut = UpstreamTimeout();
            return (t, op) => t.NexusOperationAttemptFailed(op, timedOut);
        }
        if (outcome.HandlerFailure is { } handlerFailure)
        {
            // The Temporal form: the worker's failure is the cause as it sent it.
            return NexusFailures.IsRetryable(handlerFailure.NexusHandlerFailureInfo)
                ? (t, op) => t.NexusOperationAttemptFailed(op, handlerFailure)
                : (t, op) => t.RecordNexusOperationFailed(op, handlerFailure);
        }
        if (outcome.HandlerError is { } error)
        {
            var failure = NexusFailures.HandlerError(error);
            return NexusFailures.IsRetryable(error)
                ? (t, op) => t.NexusOperationAttemptFailed(op, failure)
                : (t, op) => t.RecordNexusOperationFailed(op, failure);
        }
        var response = outcome.Response!.StartOperation;
        switch (response?.VariantCase)
        {
            case StartOperationResponse.VariantOneofCase.SyncSuccess:
                var payload = response.SyncSuccess.Payload;
                if (limits.IsBlobTooLarge(payload))
                {
                    return (t, op) => t.RecordNexusOperationFailed(op, CallError("http: response body too large"));
                }
                var syncLinks = TemporalLinks(response.SyncSuccess.Links);
                return (t, op) => t.RecordNexusOperationCompleted(op, payload, syncLinks);
            case StartOperationResponse.VariantOneofCase.AsyncSuccess:
                var token = string.IsNullOrEmpty(response.AsyncSuccess.OperationToken) ? response.AsyncSuccess.OperationId : response.AsyncSuccess.OperationToken;
                if (token.Length > HistoryLimits.MaxNexusOperationTokenLength)
                {
                    var tooLong = CallError($"invalid operation token: length exceeds allowed limit ({token.Length}/{HistoryLimits.MaxNexusOperationTokenLength})");
                    return (t, op) => t.RecordNexusOperationFailed(op, tooLong);
                }
                var asyncLinks = TemporalLinks(response.AsyncSuccess.Links);
                return (t, op) => t.RecordNexusOperationStarted(op, token, asyncLinks);
            case StartOperationResponse.VariantOneofCase.Failure:
                // The Temporal form of an unsuccessful operation: canceled when the failure says so, else failed.
                var unsuccessful = response.Failure;
                return unsuccessful.CanceledFailureInfo is not null
                    ? (t, op) => t.RecordNexusOperationCanceled(op, unsuccessful)
                    : (t, op) => t.RecordNexusOperationFailed(op, unsuccessful);
            case StartOperationResponse.VariantOneofCase.OperationError:
                var canceled = response.OperationError.OperationState == "canceled";
                var cause = NexusFailures.UnsuccessfulOperation(response.OperationError.Failure, canceled);
                return canceled
                    ? (t, op) => t.RecordNexusOperationCanceled(op, cause)
                    : (t, op) => t.RecordNexusOperationFailed(op, cause);
            default:
                var empty = NexusFailures.HandlerError("INTERNAL", "empty outcome", retryable: true);
                return (t, op) => t.NexusOperationAttemptFailed(op, empty);
        }
    }

    /// <summary>Sends one cancel request; answers the failure (null when the handler took it) and whether to retry.</summary>
    private async Task<(Failure? Failure, bool Retryable)> SendCancelAsync(WorkflowKey caller, long scheduledEventId, Args args, CancellationToken ct)
    {
        var (target, problem) = await TargetAsync(args, ct);
        if (target is null)
        {
            return (problem, false);
        }
        var request = new Request
        {
            ScheduledTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Endpoint = args.Endpoint,
            Capabilities = FailureCapabilities,
            CancelOperation = new CancelOperationRequest
            {
                Service = args.Service,
                Operation = args.Operation,
                OperationId = args.OperationToken,
                OperationToken = args.OperationToken,
            },
        };
        var outcome = await SendAsync(target, caller, scheduledEventId, request, Min(HistoryLimits.NexusRequestTimeout, RemainingTime(args)), ct);
        if (outcome.TimedOut)
        {
            return (UpstreamTimeout(), true);
        }
        if (outcome.HandlerFailure is { } handlerFailure)
        {
            return (handlerFailure, NexusFailures.IsRetryable(handlerFailure.NexusHandlerFailureInfo));
        }
        if (outcome.HandlerError is { } error)
        {
            return (NexusFailures.HandlerError(error), NexusFailures.IsRetryable(error));
        }
        return (null, false);
    }

    /// <summary>Where the operation's requests go; null with the failure that ends it when there is nowhere.</summary>
    private async Task<(Target? Target, Failure? Problem)> TargetAsync(Args args, CancellationToken ct)
    {
        if (endpoints is null || dispatcher is null)
        {
            throw new UnavailableException("Nexus is not available on this server.");
        }
        var endpoint = (string.IsNullOrEmpty(args.EndpointId) ? null : await endpoints.GetAsync(args.EndpointId, ct))
            ?? await endpoints.GetByNameAsync(args.Endpoint, ct);
        if (endpoint is null)
        {
            return (null, NexusFailures.HandlerError("NOT_FOUND", "endpoint not registered", retryable: false));
        }
        if (!endpoint.Target.IsWorker)
        {
            return (null, NexusFailures.HandlerError("NOT_IMPLEMENTED",
                $"endpoint {endpoint.Name} targets the URL {endpoint.Target.Url}: Tempora sends Nexus requests only to worker targets", retryable: false));
        }
        try
        {
            var ns = await namespaces.GetByIdAsync(endpoint.Target.NamespaceId!, ct);
            return (new Target(dispatcher, ns.Id, ns.Name, endpoint.Target.TaskQueue!), null);
        }
        catch (NamespaceNotFoundException)
        {
            return (null, NexusFailures.HandlerError("NOT_FOUND", $"namespace not found: \"{endpoint.Target.NamespaceId}\"", retryable: false));
        }
    }

    /// <summary>The handler namespace's task queue an endpoint routes to.</summary>
    private sealed record Target(INexusTaskDispatcher Dispatcher, string NamespaceId, string NamespaceName, string TaskQueue)
    {
        public Task<NexusTaskOutcome> DispatchAsync(WorkflowKey caller, long scheduledEventId, Request request, TimeSpan timeout, CancellationToken ct) =>
            Dispatcher.DispatchAsync(new NexusTask(NamespaceId, NamespaceName, TaskQueue, caller, scheduledEventId, request, timeout), ct);
    }

    /// <summary>Sends a request and counts it under Temporal's outbound metrics, tagged with its outcome.</summary>
    private async Task<NexusTaskOutcome> SendAsync(Target target, WorkflowKey caller, long scheduledEventId, Request request, TimeSpan timeout,
        CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var outcome = await target.DispatchAsync(caller, scheduledEventId, request, timeout, ct);
        var callerNamespace = (await namespaces.GetByIdAsync(caller.NamespaceId, ct)).Name;
        var method = request.VariantCase == Request.VariantOneofCase.StartOperation ? "StartOperation" : "CancelOperation";
        string[] labels = [callerNamespace, request.Endpoint, method, OutcomeTag(outcome)];
        metrics.Increment(MetricNames.NexusOutboundRequests, labels);
        metrics.Record(MetricNames.NexusOutboundLatency, time.GetElapsedTime(started), labels);
        return outcome;
    }

    /// <summary>An answer as Temporal's outcome tag names it.</summary>
    private static string OutcomeTag(NexusTaskOutcome outcome)
    {
        if (outcome.TimedOut)
        {
            return "request-timeout";
        }
        if ((outcome.HandlerFailure?.NexusHandlerFailureInfo?.Type ?? outcome.HandlerError?.ErrorType) is { } type)
        {
            return $"handler-error:{type}";
        }
        var start = outcome.Response?.StartOperation;
        return start?.VariantCase switch
        {
            StartOperationResponse.VariantOneofCase.AsyncSuccess => "pending",
            StartOperationResponse.VariantOneofCase.OperationError => $"operation-unsuccessful:{start.OperationError.OperationState}",
            StartOperationResponse.VariantOneofCase.Failure => start.Failure.CanceledFailureInfo is null
                ? "operation-unsuccessful:failed"
                : "operation-unsuccessful:canceled",
            _ => "successful",
        };
    }

    private TimeSpan? RemainingTime(Args args) =>
        args.ScheduleToClose > TimeSpan.Zero ? args.ScheduledTime + args.ScheduleToClose - time.GetUtcNow() : null;

    private static TimeSpan Min(TimeSpan a, TimeSpan? b) => b is { } other && other < a ? other : a;

    /// <summary>
    /// Workers may answer failures as Temporal failures (RespondNexusTaskFailed's <c>failure</c>, a start's
    /// <c>failure</c>), as Temporal 1.31 lets them; history then records what the handler sent as the cause, unwrapped,
    /// which is what the SDKs of that time expect. Older workers send the Nexus form, recorded as 1.28 does.
    /// </summary>
    private static Request.Types.Capabilities FailureCapabilities => new() { TemporalFailureResponses = true };

    /// <summary>No answer in time (Temporal's frontend answers a dispatch that timed out so): retryable.</summary>
    private static Failure UpstreamTimeout() => NexusFailures.HandlerError("UPSTREAM_TIMEOUT", "upstream timeout", retryable: true);

    /// <summary>A failure of the call itself rather than of the handler (Temporal's callErrToFailure for other errors).</summary>
    private static Failure CallError(string message) => new()
    {
        Message = message,
        ApplicationFailureInfo = new ApplicationFailureInfo { Type = "CallError", NonRetryable = true },
    };

    private static List<Link> TemporalLinks(IEnumerable<Temporalio.Api.Nexus.V1.Link> links) =>
        links.Select(NexusLinks.FromNexus).OfType<Link>().ToList();
}
