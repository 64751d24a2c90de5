using Google.Protobuf;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Query.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    private sealed record QueryTarget(bool Open, WorkflowExecutionStatus Status, long LastCompletedStartedEventId,
        bool WorkflowTaskPending, int WorkflowTaskAttempt, string? StickyQueue, TimeSpan StickyTimeout, string TaskQueue, long NextEventId);

    /// <summary>
    /// Answers a query through a polling worker (the "direct" query task of upstream). The query waits until no
    /// workflow task is in flight, so its answer reflects every event already accepted; without a worker it waits
    /// for the caller's deadline (temporal-compat.md §5.3).
    /// </summary>
    public async Task<QueryWorkflowResponse> QueryWorkflowAsync(NamespaceRecord ns, QueryWorkflowRequest r, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.Query?.QueryType))
        {
            throw new InvalidArgumentException("QueryType is not set on request.");
        }
        CheckBlob(r.Query.QueryArgs, "query args");
        var key = await ResolveAsync(ns.Id, r.Execution, null, ct);
        QueryTarget target;
        while (true)
        {
            (target, var changed) = await ReadAsync(key, (s, ctx) => (new QueryTarget(s.IsOpen, s.Status,
                s.LastCompletedWorkflowTaskStartedEventId, s.WorkflowTask is not null, s.WorkflowTaskAttempt, s.StickyQueue,
                s.StickyScheduleToStartTimeout, s.TaskQueue, s.NextEventId), ctx.Changed.Task), ct);
            if (!target.Open)
            {
                var rejected = r.QueryRejectCondition switch
                {
                    QueryRejectCondition.NotOpen => true,
                    QueryRejectCondition.NotCompletedCleanly => target.Status != WorkflowExecutionStatus.Completed,
                    _ => false,
                };
                if (rejected)
                {
                    return new QueryWorkflowResponse { QueryRejected = new QueryRejected { Status = target.Status } };
                }
                if (target.LastCompletedStartedEventId == 0)
                {
                    throw new WorkflowNotReadyException("Workflow closed before any workflow task completed; there is no state to query.");
                }
                break;
            }
            if (target.WorkflowTaskAttempt >= 3)
            {
                throw new WorkflowNotReadyException("Workflow task is failing; the workflow cannot be queried until it makes progress.");
            }
            if (target.LastCompletedStartedEventId > 0 && !target.WorkflowTaskPending)
            {
                break;
            }
            await changed.WaitAsync(ct);
        }

        var id = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<RespondQueryTaskCompletedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var stickyLive = target.Open && target.StickyQueue is { } sq && dispatcher.HasRecentPoller(
                new TaskQueueKey(ns.Id, sq, TaskKind.Workflow), Execution.Transition.StickyPollerWindow);
            if (stickyLive)
            {
                var onSticky = OfferQuery(ns, key, target.StickyQueue!, id, r.Query, target.NextEventId, answer);
                var picked = await Task.WhenAny(answer.Task, Task.Delay(target.StickyTimeout, time, ct));
                // Not taken by the sticky worker in time: withdraw it there and ask the normal queue (§3.6).
                if (picked != answer.Task && onSticky.TryClaim())
                {
                    OfferQuery(ns, key, target.TaskQueue, id, r.Query, target.NextEventId, answer);
                }
            }
            else
            {
                OfferQuery(ns, key, target.TaskQueue, id, r.Query, target.NextEventId, answer);
            }
            var result = await answer.Task.WaitAsync(ct);
            if (result.CompletedType == QueryResultType.Answered)
            {
                return new QueryWorkflowResponse { QueryResult = result.QueryResult };
            }
            throw new QueryFailedException(string.IsNullOrEmpty(result.ErrorMessage) ? "query failed" : result.ErrorMessage, result.Failure);
        }
        finally
        {
            _queries.TryRemove(id, out _);
        }
    }

    private QueryTask OfferQuery(NamespaceRecord ns, WorkflowKey key, string taskQueue, string id, WorkflowQuery query, long historyEnd,
        TaskCompletionSource<RespondQueryTaskCompletedRequest> answer)
    {
        var task = new QueryTask(id, query, historyEnd, answer);
        _queries[id] = task;
        dispatcher.Dispatch(new MatchingTask(0, new TaskQueueKey(ns.Id, taskQueue, TaskKind.Workflow), key.WorkflowId, key.RunId, 0, 1,
            time.GetUtcNow())
        { Query = task });
        return task;
    }

    private async Task<PollWorkflowTaskQueueResponse?> BuildQueryTaskAsync(NamespaceRecord ns, MatchingTask task, CancellationToken ct)
    {
        var query = task.Query!;
        if (query.Answer.Task.IsCompleted || !query.TryClaim())
        {
            return null;
        }
        var key = new WorkflowKey(ns.Id, task.WorkflowId, task.RunId);
        var (workflowType, taskQueue, previousStarted) = await ReadAsync(key,
            (s, _) => (s.WorkflowType, s.TaskQueue, s.LastCompletedWorkflowTaskStartedEventId), ct);
        var history = new Temporalio.Api.History.V1.History();
        if (task.Queue.Name == taskQueue)
        {
            // The normal queue may reach any worker: send full history. A sticky worker has the run cached.
            history.Events.AddRange(await ReadEventsAsync(key, 1, query.HistoryEndExclusive, ct));
        }
        return new PollWorkflowTaskQueueResponse
        {
            TaskToken = ByteString.CopyFrom(new TaskToken(ns.Id, key.WorkflowId, key.RunId, 0, 1, 0, 0, "", query.Id).Serialize()),
            WorkflowExecution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
            WorkflowType = new WorkflowType { Name = workflowType },
            PreviousStartedEventId = previousStarted,
            Attempt = 1,
            History = history,
            Query = query.Query,
            WorkflowExecutionTaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
        };
    }

    public void RespondQueryTaskCompleted(RespondQueryTaskCompletedRequest r)
    {
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        if (string.IsNullOrEmpty(token.QueryId) || !_queries.TryGetValue(token.QueryId, out var query))
        {
            throw new EntityNotFoundException("query task not found, or already expired");
        }
        query.Answer.TrySetResult(r);
    }
}
