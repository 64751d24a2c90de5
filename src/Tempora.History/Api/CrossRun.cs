using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History;

/// <summary>
/// Work that one run's transition asks of another run (start a child, tell a parent, signal or cancel a workflow).
/// It is queued as an immediate durable task in the first run's transaction and carried out here, at least once:
/// each step is idempotent (request ids, state checks), and the task row is deleted by the final transition.
/// </summary>
public sealed partial class HistoryEngine
{
    private async Task StartChildAsync(TimerTaskRecord timer, TimerTaskInfo info, CancellationToken ct)
    {
        var parentKey = timer.Key;
        var pending = await TryReadAsync(parentKey, s => s.IsOpen && s.Children.TryGetValue(info.EventId, out var c) && !c.Started
            ? (Child: c, s.Root, ParentNamespaceId: s.NamespaceId)
            : default, ct);
        if (pending.Child is null)
        {
            await store.DeleteTasksAsync([timer.TaskId], [], ct);
            return;
        }
        var a = pending.Child.Initiated;
        string? runId = null;
        string targetNamespaceId = "";
        var cause = StartChildWorkflowExecutionFailedCause.Unspecified;
        try
        {
            var target = await namespaces.GetByNameAsync(a.Namespace, ct);
            targetNamespaceId = target.Id;
            var parentNamespace = await namespaces.GetByIdAsync(parentKey.NamespaceId, ct);
            var parentExecution = new WorkflowExecution { WorkflowId = parentKey.WorkflowId, RunId = parentKey.RunId };
            var spec = new StartSpec(a.WorkflowId, a.WorkflowType, a.TaskQueue, a.Input, a.WorkflowExecutionTimeout, a.WorkflowRunTimeout,
                a.WorkflowTaskTimeout, "", $"{parentKey.RunId}/{info.EventId}", a.WorkflowIdReusePolicy, WorkflowIdConflictPolicy.Fail,
                a.RetryPolicy, a.CronSchedule, a.Memo, a.SearchAttributes, a.Header, null, a.Priority, null);
            (runId, _) = await StartAsync(target, spec, null, WorkflowIdConflictPolicy.Fail, ct,
                new ChildOf(parentNamespace.Name, parentNamespace.Id, parentExecution, info.EventId, pending.Root ?? parentExecution));
        }
        catch (NamespaceNotFoundException)
        {
            cause = StartChildWorkflowExecutionFailedCause.NamespaceNotFound;
        }
        catch (WorkflowAlreadyStartedException)
        {
            cause = StartChildWorkflowExecutionFailedCause.WorkflowAlreadyExists;
        }
        await FinishOnRunAsync(parentKey, timer, t =>
        {
            if (!t.State.Children.TryGetValue(info.EventId, out var child) || child.Started)
            {
                return;
            }
            if (runId is not null)
            {
                t.RecordChildStarted(child, targetNamespaceId, runId);
            }
            else
            {
                t.RecordChildStartFailed(child, cause);
            }
        }, ct);
    }

    private Task NotifyParentAsync(TimerTaskRecord timer, TimerTaskInfo info, CancellationToken ct) =>
        FinishOnRunAsync(new WorkflowKey(info.TargetNamespaceId, info.TargetWorkflowId, info.TargetRunId), timer, t =>
        {
            if (t.State.Children.TryGetValue(info.EventId, out var child) && child.Initiated.WorkflowId == timer.Key.WorkflowId)
            {
                t.RecordChildClosed(child, timer.Key.NamespaceId, timer.Key.RunId, info.Event!);
            }
        }, ct);

    private async Task ApplyParentClosePolicyAsync(TimerTaskRecord timer, TimerTaskInfo info, CancellationToken ct)
    {
        try
        {
            // The child may have continued as new since: act on its current run if it still belongs to this parent.
            var key = await ResolveAsync(info.TargetNamespaceId, new WorkflowExecution { WorkflowId = info.TargetWorkflowId }, null, ct);
            await UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || t.State.Parent?.RunId != timer.Key.RunId)
                {
                    return 0;
                }
                if (info.Policy == ParentClosePolicy.RequestCancel)
                {
                    if (!t.State.CancelRequested)
                    {
                        t.RequestCancel("by parent close policy", "history-service");
                    }
                }
                else
                {
                    t.Terminate("by parent close policy", null, "history-service");
                }
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
            // the child is gone already
        }
        await store.DeleteTasksAsync([timer.TaskId], [], ct);
    }

    private async Task DeliverExternalRequestAsync(TimerTaskRecord timer, TimerTaskInfo info, CancellationToken ct)
    {
        var sourceKey = timer.Key;
        var request = await TryReadAsync(sourceKey, s => s.IsOpen ? s.ExternalRequests.GetValueOrDefault(info.EventId) : null, ct);
        if (request is null)
        {
            await store.DeleteTasksAsync([timer.TaskId], [], ct);
            return;
        }
        var signal = info.Kind == TimerTaskKind.SignalExternal;
        var source = new WorkflowExecution { WorkflowId = sourceKey.WorkflowId, RunId = sourceKey.RunId };
        var (ns, execution, childOnly) = signal
            ? (request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.Namespace,
                request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.WorkflowExecution,
                request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes.ChildWorkflowOnly)
            : (request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.Namespace,
                request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.WorkflowExecution,
                request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes.ChildWorkflowOnly);
        var failure = CancelExternalWorkflowExecutionFailedCause.Unspecified;
        try
        {
            var target = await namespaces.GetByNameAsync(ns, ct);
            var key = await ResolveAsync(target.Id, execution, null, ct);
            await UpdateAsync(key, t =>
            {
                var s = t.State;
                if (childOnly && s.Parent?.RunId != sourceKey.RunId)
                {
                    throw new EntityNotFoundException("target is not a child of the requesting workflow");
                }
                if (signal)
                {
                    if (!s.IsOpen)
                    {
                        throw new EntityNotFoundException(AlreadyCompleted);
                    }
                    if (!s.SignalRequestIds.Contains(request.RequestId))
                    {
                        var a = request.Initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes;
                        t.Signal(a.SignalName, a.Input, "", a.Header, request.RequestId, false, source);
                    }
                }
                else if (s.IsOpen && !s.CancelRequested)
                {
                    var a = request.Initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes;
                    t.RequestCancel(a.Reason, "", source, request.InitiatedEventId);
                }
                return 0;
            }, ct);
        }
        catch (NamespaceNotFoundException)
        {
            failure = CancelExternalWorkflowExecutionFailedCause.NamespaceNotFound;
        }
        catch (EntityNotFoundException)
        {
            failure = CancelExternalWorkflowExecutionFailedCause.ExternalWorkflowExecutionNotFound;
        }
        await FinishOnRunAsync(sourceKey, timer, t =>
        {
            if (t.State.ExternalRequests.TryGetValue(info.EventId, out var pending))
            {
                t.RecordExternalRequestResult(pending, failure == CancelExternalWorkflowExecutionFailedCause.Unspecified, failure);
            }
        }, ct);
    }

    /// <summary>Applies the final step on an open run and deletes the task row with it; a closed or gone run just drops the row.</summary>
    private async Task FinishOnRunAsync(WorkflowKey key, TimerTaskRecord timer, Action<Transition> apply, CancellationToken ct)
    {
        var done = false;
        try
        {
            await UpdateAsync(key, t =>
            {
                if (t.State.IsOpen)
                {
                    t.DeleteTimer(timer.TaskId);
                    apply(t);
                    done = true;
                }
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
        }
        if (!done)
        {
            await store.DeleteTasksAsync([timer.TaskId], [], ct);
        }
    }

    private async Task<T?> TryReadAsync<T>(WorkflowKey key, Func<MutableState, T?> read, CancellationToken ct)
    {
        try
        {
            return await ReadAsync(key, (s, _) => read(s), ct);
        }
        catch (EntityNotFoundException)
        {
            return default;
        }
    }
}
