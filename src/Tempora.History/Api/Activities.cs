using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    private const string ActivityNotFound = "activity task not found";

    /// <summary>Records that a poller took an activity attempt and builds its poll response; null when stale.</summary>
    public async Task<PollActivityTaskQueueResponse?> RecordActivityTaskStartedAsync(
        NamespaceRecord ns, MatchingTask task, PollActivityTaskQueueRequest poll, CancellationToken ct)
    {
        var key = new WorkflowKey(ns.Id, task.WorkflowId, task.RunId);
        PollActivityTaskQueueResponse? response;
        try
        {
            response = await UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || !t.State.Activities.TryGetValue(task.ScheduledEventId, out var a) || a.IsStarted || a.TaskId != task.TaskId)
                {
                    return null;
                }
                t.StartActivity(a, task, poll.Identity, Guid.NewGuid().ToString());
                return ActivityTaskResponse(ns, key, t.State, a);
            }, CancellationToken.None);
        }
        catch (EntityNotFoundException)
        {
            response = null;
        }
        if (response is null)
        {
            await store.DeleteTasksAsync([], [task.TaskId], CancellationToken.None);
        }
        return response;
    }

    /// <summary>What a worker gets for a started activity attempt: from a poll, or eagerly with a workflow task completion.</summary>
    private static PollActivityTaskQueueResponse ActivityTaskResponse(NamespaceRecord ns, WorkflowKey key, MutableState s, ActivityInfo a) => new()
    {
        TaskToken = ByteString.CopyFrom(new TaskToken(ns.Id, key.WorkflowId, key.RunId, a.ScheduledEventId, a.Attempt, 0,
            a.StartedTime!.Value.UtcTicks, a.ActivityId).Serialize()),
        WorkflowNamespace = ns.Name,
        WorkflowType = new WorkflowType { Name = s.WorkflowType },
        WorkflowExecution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
        ActivityType = new ActivityType { Name = a.ActivityType },
        ActivityId = a.ActivityId,
        Header = a.Header,
        Input = a.Input,
        HeartbeatDetails = a.HeartbeatDetails,
        ScheduledTime = Timestamp.FromDateTimeOffset(a.ScheduledTime),
        CurrentAttemptScheduledTime = Timestamp.FromDateTimeOffset(a.CurrentAttemptScheduledTime),
        StartedTime = Timestamp.FromDateTimeOffset(a.StartedTime!.Value),
        Attempt = a.Attempt,
        ScheduleToCloseTimeout = Duration.FromTimeSpan(a.ScheduleToCloseTimeout),
        StartToCloseTimeout = Duration.FromTimeSpan(a.StartToCloseTimeout),
        HeartbeatTimeout = Duration.FromTimeSpan(a.HeartbeatTimeout),
        RetryPolicy = a.RetryPolicy,
        Priority = a.Priority,
    };

    public async Task<RecordActivityTaskHeartbeatResponse> RecordActivityTaskHeartbeatAsync(RecordActivityTaskHeartbeatRequest r, CancellationToken ct)
    {
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        if (_limits.IsBlobTooLarge(r.Details))
        {
            // As Temporal: details too large to keep fail the attempt, and the worker is told to stop (cancel requested).
            await RespondActivityTaskFailedAsync(token, Transition.ServerFailure("Heartbeat details exceed size limit."), null, r.Identity, ct);
            return new RecordActivityTaskHeartbeatResponse { CancelRequested = true };
        }
        var cancelRequested = await UpdateAsync(token.Key, t =>
        {
            var a = ActivityForToken(t.State, token);
            t.RecordActivityHeartbeat(a, r.Details, r.Identity);
            return a.CancelRequested;
        }, ct);
        return new RecordActivityTaskHeartbeatResponse { CancelRequested = cancelRequested };
    }

    public async Task<RecordActivityTaskHeartbeatByIdResponse> RecordActivityTaskHeartbeatByIdAsync(
        NamespaceRecord ns, RecordActivityTaskHeartbeatByIdRequest r, CancellationToken ct)
    {
        var token = await TokenByIdAsync(ns, r.WorkflowId, r.RunId, r.ActivityId, ct);
        var response = await RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatRequest
        {
            TaskToken = ByteString.CopyFrom(token.Serialize()),
            Details = r.Details,
            Identity = r.Identity,
        }, ct);
        return new RecordActivityTaskHeartbeatByIdResponse { CancelRequested = response.CancelRequested };
    }

    /// <summary>
    /// Completes an activity addressed by id. One not started yet is completed too: its Started event is written with
    /// the completion, as Temporal fabricates it for a forced completion.
    /// </summary>
    public async Task RespondActivityTaskCompletedByIdAsync(NamespaceRecord ns, RespondActivityTaskCompletedByIdRequest r, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.ActivityId))
        {
            throw new InvalidArgumentException("ActivityId is not set on request.");
        }
        var key = await ResolveAsync(ns.Id, new WorkflowExecution { WorkflowId = r.WorkflowId, RunId = r.RunId }, null, ct);
        var tooLarge = _limits.IsBlobTooLarge(r.Result);
        await UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                throw new EntityNotFoundException(AlreadyCompleted);
            }
            var a = t.State.Activities.Values.FirstOrDefault(x => x.ActivityId == r.ActivityId)
                ?? throw new EntityNotFoundException(ActivityNotFound);
            if (!a.IsStarted)
            {
                t.StartActivityForCompletion(a, r.Identity);
            }
            if (tooLarge)
            {
                t.FailActivityAttempt(a, Transition.ServerFailure("Complete result exceeds size limit."), null, r.Identity);
            }
            else
            {
                t.CompleteActivity(a, r.Result, r.Identity);
            }
            return 0;
        }, ct);
    }

    public async Task RespondActivityTaskCompletedAsync(TaskToken token, Payloads? result, string identity, CancellationToken ct)
    {
        var tooLarge = _limits.IsBlobTooLarge(result);
        await UpdateAsync(token.Key, t =>
        {
            var a = ActivityForToken(t.State, token);
            if (tooLarge)
            {
                // An oversize result becomes a non-retryable failure, as upstream does (§7).
                t.FailActivityAttempt(a, Transition.ServerFailure("Complete result exceeds size limit."), null, identity);
            }
            else
            {
                t.CompleteActivity(a, result, identity);
            }
            return 0;
        }, ct);
    }

    public async Task RespondActivityTaskFailedAsync(TaskToken token, Failure? failure, Payloads? lastHeartbeatDetails, string identity, CancellationToken ct,
        WorkerVersionStamp? workerVersion = null)
    {
        if (_limits.IsBlobTooLarge(failure))
        {
            failure = Transition.ServerFailure("Failure exceeds size limit.");
        }
        if (_limits.IsBlobTooLarge(lastHeartbeatDetails))
        {
            // As Temporal's frontend: heartbeat details too large to keep are dropped, the failure is still recorded.
            lastHeartbeatDetails = null;
        }
        failure ??= new Failure { Message = "activity failed without a failure" };
        await UpdateAsync(token.Key, t =>
        {
            var a = ActivityForToken(t.State, token);
            t.FailActivityAttempt(a, failure, lastHeartbeatDetails, identity, workerVersion);
            return 0;
        }, ct);
    }

    public async Task RespondActivityTaskCanceledAsync(TaskToken token, Payloads? details, string identity, CancellationToken ct)
    {
        CheckActivityBlob(details, "Details exceed size limit.");
        await UpdateAsync(token.Key, t =>
        {
            var a = ActivityForToken(t.State, token);
            if (!a.CancelRequested)
            {
                throw new InvalidArgumentException("unable to mark activity as canceled without activity being request canceled first");
            }
            t.CancelActivity(a, details, identity);
            return 0;
        }, ct);
    }

    /// <summary>Builds the token of the current attempt of an activity addressed by id (the *ById RPCs).</summary>
    public async Task<TaskToken> TokenByIdAsync(NamespaceRecord ns, string workflowId, string runId, string activityId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(activityId))
        {
            throw new InvalidArgumentException("ActivityId is not set on request.");
        }
        var key = await ResolveAsync(ns.Id, new WorkflowExecution { WorkflowId = workflowId, RunId = runId }, null, ct);
        return await ReadAsync(key, (s, _) =>
        {
            if (!s.IsOpen)
            {
                throw new EntityNotFoundException(AlreadyCompleted);
            }
            foreach (var a in s.Activities.Values)
            {
                if (a.ActivityId == activityId)
                {
                    if (!a.IsStarted)
                    {
                        throw new EntityNotFoundException(ActivityNotFound);
                    }
                    return new TaskToken(ns.Id, key.WorkflowId, key.RunId, a.ScheduledEventId, a.Attempt, 0, a.StartedTime!.Value.UtcTicks, a.ActivityId);
                }
            }
            throw new EntityNotFoundException(ActivityNotFound);
        }, ct);
    }

    private static ActivityInfo ActivityForToken(MutableState s, TaskToken token)
    {
        if (!s.IsOpen)
        {
            throw new EntityNotFoundException(AlreadyCompleted);
        }
        if (!s.Activities.TryGetValue(token.ScheduledEventId, out var a) || a.Attempt != token.Attempt || !a.IsStarted
            || a.StartedTime!.Value.UtcTicks != token.StartedTimeTicks)
        {
            throw new EntityNotFoundException(ActivityNotFound);
        }
        return a;
    }

    private void CheckActivityBlob(IMessage? payloads, string message)
    {
        if (_limits.IsBlobTooLarge(payloads))
        {
            throw new InvalidArgumentException(message);
        }
    }
}
