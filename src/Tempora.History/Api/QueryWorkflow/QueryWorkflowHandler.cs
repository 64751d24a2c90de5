using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Query.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class QueryWorkflowHandler(
    RunResolver runs, WorkflowUpdater updater, QueryTaskRegistry queryTasks, ITaskDispatcher dispatcher, TimeProvider time)
{
    private sealed record QueryTarget(bool Open, WorkflowExecutionStatus Status, long LastCompletedStartedEventId,
        bool WorkflowTaskPending, int WorkflowTaskAttempt, string? StickyQueue, TimeSpan StickyTimeout, string TaskQueue, long NextEventId,
        Tempora.Core.Versioning.DeploymentVersion? PinnedTo);

    /// <summary>
    /// Answers a query. While the run has a workflow task scheduled or started, or has completed none, the query is
    /// buffered and goes to the worker with the next workflow task (see <see cref="BufferedQuery"/>); otherwise, or once
    /// a completion schedules no new task, it goes through a polling worker as a query task (the "direct" query of
    /// upstream's queryworkflow/api.go). Without a worker it waits for the caller's deadline (temporal-compat.md §5.3). The
    /// frontend validated the request (QueryWorkflowValidation).
    /// </summary>
    public async Task<QueryWorkflowResponse> HandleAsync(NamespaceRecord ns, QueryWorkflowRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        var bufferedId = Guid.NewGuid().ToString();
        BufferedQuery? buffered = null;
        QueryTarget target;
        try
        {
            while (true)
            {
                (target, var changed, var answered, var full) = await updater.ReadAsync(key, (s, ctx) =>
                {
                    var current = new QueryTarget(s.IsOpen, s.Status, s.LastCompletedWorkflowTaskStartedEventId, s.WorkflowTask is not null,
                        s.WorkflowTaskAttempt, s.StickyQueue, s.StickyScheduleToStartTimeout, s.TaskQueue, s.NextEventId, RunVersioning.PinnedVersion(s));
                    if (buffered?.Result.Task.IsCompleted == true)
                    {
                        return (current, ctx.Changed.Task, true, false);
                    }
                    var direct = !current.Open || (current.LastCompletedStartedEventId > 0 && !current.WorkflowTaskPending);
                    if (direct || current.WorkflowTaskAttempt >= 3)
                    {
                        // Safe to ask a worker directly now (or about to fail): no later task may carry it as well.
                        ctx.Queries.Remove(bufferedId);
                        buffered = null;
                    }
                    else if (buffered is null)
                    {
                        if (ctx.Queries.Count >= MaxBufferedQueries)
                        {
                            return (current, ctx.Changed.Task, false, true);
                        }
                        buffered = new BufferedQuery(r.Query);
                        ctx.Queries[bufferedId] = buffered;
                    }
                    return (current, ctx.Changed.Task, false, false);
                }, ct);
                if (full)
                {
                    // Upstream's consts.ErrConsistentQueryBufferExceeded; the SDKs retry it.
                    throw new ResourceExhaustedException(
                        "consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough",
                        ResourceExhaustedCause.BusyWorkflow, ResourceExhaustedScope.Namespace);
                }
                if (answered)
                {
                    return QueryResponse(await buffered!.Result.Task);
                }
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
                if (buffered is null)
                {
                    break;
                }
                await Task.WhenAny(changed, buffered.Result.Task).WaitAsync(ct);
            }
        }
        finally
        {
            if (buffered is not null)
            {
                await updater.LockedAsync(key, ctx => ctx.Queries.Remove(bufferedId), CancellationToken.None);
            }
        }

        var id = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<RespondQueryTaskCompletedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var stickyLive = target.Open && target.StickyQueue is { } sq && dispatcher.HasRecentPoller(
                new TaskQueueKey(ns.Id, sq, TaskKind.Workflow), Transition.StickyPollerWindow);
            if (stickyLive)
            {
                var onSticky = queryTasks.Offer(ns, key, target.StickyQueue!, id, r.Query, target.NextEventId, answer, target.PinnedTo, sticky: true);
                var picked = await Task.WhenAny(answer.Task, Task.Delay(target.StickyTimeout, time, ct));
                // Not taken by the sticky worker in time: withdraw it there and ask the normal queue (§3.6).
                if (picked != answer.Task && onSticky.TryClaim())
                {
                    queryTasks.Offer(ns, key, target.TaskQueue, id, r.Query, target.NextEventId, answer, target.PinnedTo);
                }
            }
            else
            {
                queryTasks.Offer(ns, key, target.TaskQueue, id, r.Query, target.NextEventId, answer, target.PinnedTo);
            }
            var result = await answer.Task.WaitAsync(ct);
            return QueryResponse(new WorkflowQueryResult
            {
                ResultType = result.CompletedType,
                Answer = result.QueryResult,
                ErrorMessage = result.ErrorMessage,
                Failure = result.Failure,
            });
        }
        finally
        {
            queryTasks.Remove(id);
        }
    }

    /// <summary>Upstream's history.MaxBufferedQueryCount: queries one run may have waiting for a workflow task.</summary>
    private const int MaxBufferedQueries = 1;

    private static QueryWorkflowResponse QueryResponse(WorkflowQueryResult result) => result.ResultType == QueryResultType.Answered
        ? new QueryWorkflowResponse { QueryResult = result.Answer }
        : throw new QueryFailedException(string.IsNullOrEmpty(result.ErrorMessage) ? "query failed" : result.ErrorMessage, result.Failure);
}
