using Google.Protobuf;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History;

/// <summary>
/// Work that one run's transition asks of another run (start a child, tell a parent, signal or cancel a workflow).
/// It is queued as an immediate durable task in the first run's transaction and carried out here, at least once:
/// each step is idempotent (request ids, state checks), and the task row is deleted by the final transition.
/// </summary>
public sealed partial class HistoryEngine
{
    private async Task StartChildAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        var parentKey = timer.Key;
        var pending = await TryReadAsync(parentKey, s => s.IsOpen && s.Children.TryGetValue(info.EventId, out var c) && !c.Started
            ? (Child: c, s.Root, RequestId: c.StartRequestId(s.RunId), s.StartTime)
            : default, ct);
        if (pending.Child is null)
        {
            await store.DeleteTransferTasksAsync([timer.TaskId], ct);
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
            var call = new ChildStartCall(target.Id, a.ToByteArray(), parentNamespace.Name, parentNamespace.Id, parentKey.WorkflowId,
                parentKey.RunId, info.EventId, (pending.Root ?? parentExecution).ToByteArray(), pending.RequestId,
                pending.Child.UserMetadata?.ToByteArray());
            var outcome = await OnOwnerAsync(target.Id, a.WorkflowId,
                () => StartChildHereAsync(call, ct), address => remote!.StartChildAsync(address, call, ct));
            if (outcome.SiblingParentRunId is not null && time.GetUtcNow() - pending.StartTime < OrphanGracePeriod)
            {
                // A run this one replaced (by a reset) started a child with this id, and its parent close policy is
                // ending that child right now: try again shortly rather than fail the start.
                throw new UnavailableException($"Child workflow id {a.WorkflowId} is still held by a child of a previous run.");
            }
            (runId, cause) = (outcome.RunId, (StartChildWorkflowExecutionFailedCause)outcome.Cause);
        }
        catch (NamespaceNotFoundException)
        {
            cause = StartChildWorkflowExecutionFailedCause.NamespaceNotFound;
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

    /// <summary>The child's side of a child start, run by the process that owns the child's shard.</summary>
    public async Task<ChildStartOutcome> StartChildHereAsync(ChildStartCall call, CancellationToken ct)
    {
        var a = StartChildWorkflowExecutionInitiatedEventAttributes.Parser.ParseFrom(call.Initiated);
        RequireLocal(call.TargetNamespaceId, a.WorkflowId);
        try
        {
            var target = await namespaces.GetByIdAsync(call.TargetNamespaceId, ct);
            var parentExecution = new WorkflowExecution { WorkflowId = call.ParentWorkflowId, RunId = call.ParentRunId };
            var spec = new StartSpec(a.WorkflowId, a.WorkflowType, a.TaskQueue, a.Input, a.WorkflowExecutionTimeout, a.WorkflowRunTimeout,
                a.WorkflowTaskTimeout, "", call.RequestId, a.WorkflowIdReusePolicy, WorkflowIdConflictPolicy.Fail,
                a.RetryPolicy, a.CronSchedule, a.Memo, a.SearchAttributes, a.Header, null, a.Priority,
                call.UserMetadata is { } metadata ? Temporalio.Api.Sdk.V1.UserMetadata.Parser.ParseFrom(metadata) : null);
            var (runId, _) = await StartAsync(target, spec, null, WorkflowIdConflictPolicy.Fail, ct,
                new ChildOf(call.ParentNamespaceName, call.ParentNamespaceId, parentExecution, call.InitiatedEventId,
                    WorkflowExecution.Parser.ParseFrom(call.Root)));
            return new ChildStartOutcome(runId, (int)StartChildWorkflowExecutionFailedCause.Unspecified);
        }
        catch (NamespaceNotFoundException)
        {
            return new ChildStartOutcome(null, (int)StartChildWorkflowExecutionFailedCause.NamespaceNotFound);
        }
        catch (WorkflowAlreadyStartedException taken)
        {
            var sibling = await SiblingParentRunAsync(call, a.WorkflowId, taken.RunId, ct);
            return new ChildStartOutcome(null, (int)StartChildWorkflowExecutionFailedCause.WorkflowAlreadyExists, sibling);
        }
    }

    /// <summary>How long after a reset its run waits for the children of the run it replaced to be closed.</summary>
    private static readonly TimeSpan OrphanGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>The run of the same parent workflow that started the running workflow holding a child's id, if any.</summary>
    private async Task<string?> SiblingParentRunAsync(ChildStartCall call, string workflowId, string runId, CancellationToken ct)
    {
        var holder = await TryReadAsync(new WorkflowKey(call.TargetNamespaceId, workflowId, runId), s => s.IsOpen ? s.Parent : null, ct);
        return holder is not null && holder.NamespaceId == call.ParentNamespaceId && holder.WorkflowId == call.ParentWorkflowId
            && holder.RunId != call.ParentRunId
            ? holder.RunId
            : null;
    }

    private Task NotifyParentAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct) =>
        OnOwnerAsync(info.TargetNamespaceId, info.TargetWorkflowId,
            () => NotifyParentHereAsync(timer, ct), address => remote!.NotifyParentAsync(address, timer, ct));

    /// <summary>Records a child's close on its parent, run by the process that owns the parent's shard.</summary>
    public Task<bool> NotifyParentHereAsync(TransferTaskRecord timer, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(timer.Data);
        RequireLocal(info.TargetNamespaceId, info.TargetWorkflowId);
        return NotifyParentOnThisProcessAsync(timer, info, ct);
    }

    /// <summary>How many resets in a row a child's close report follows to find the parent run that carries on.</summary>
    private const int MaxResetRedirects = 10;

    private async Task<bool> NotifyParentOnThisProcessAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        // A parent run replaced by a reset hands the report on to the run that replaced it (as Temporal does): the
        // reset run kept the child pending. All runs of one workflow id live on the same shard, so this stays local.
        var parentRunId = info.TargetRunId;
        for (var hop = 0; hop <= MaxResetRedirects; hop++)
        {
            string? resetRunId = null;
            await FinishOnRunAsync(new WorkflowKey(info.TargetNamespaceId, info.TargetWorkflowId, parentRunId), timer, t =>
            {
                if (t.State.Children.TryGetValue(info.EventId, out var child) && child.Initiated.WorkflowId == timer.Key.WorkflowId)
                {
                    t.RecordChildClosed(child, timer.Key.NamespaceId, timer.Key.RunId, info.Event!);
                }
            }, ct, closed => (resetRunId = closed.ResetRunId) is not null);
            if (resetRunId is null)
            {
                return true;
            }
            parentRunId = resetRunId;
        }
        return true;
    }

    private async Task ApplyParentClosePolicyAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        await OnOwnerAsync(info.TargetNamespaceId, info.TargetWorkflowId,
            () => ApplyParentClosePolicyHereAsync(timer, ct), address => remote!.ApplyParentClosePolicyAsync(address, timer, ct));
        await store.DeleteTransferTasksAsync([timer.TaskId], ct);
    }

    /// <summary>Cancels or terminates a closed parent's child, run by the process that owns the child's shard.</summary>
    public async Task<bool> ApplyParentClosePolicyHereAsync(TransferTaskRecord timer, CancellationToken ct)
    {
        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(timer.Data);
        RequireLocal(info.TargetNamespaceId, info.TargetWorkflowId);
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
        return true;
    }

    private async Task DeliverExternalRequestAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        var sourceKey = timer.Key;
        var request = await TryReadAsync(sourceKey, s => s.IsOpen ? s.ExternalRequests.GetValueOrDefault(info.EventId) : null, ct);
        if (request is null)
        {
            await store.DeleteTransferTasksAsync([timer.TaskId], ct);
            return;
        }
        var signal = info.Kind == TransferTaskKind.SignalExternal;
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
            var call = new ExternalRequestCall(target.Id, signal, execution.ToByteArray(), childOnly, sourceKey, request.RequestId,
                request.InitiatedEventId, request.Initiated.ToByteArray());
            failure = (CancelExternalWorkflowExecutionFailedCause)await OnOwnerAsync(target.Id, execution.WorkflowId,
                () => DeliverExternalRequestHereAsync(call, ct), address => remote!.DeliverExternalRequestAsync(address, call, ct));
        }
        catch (NamespaceNotFoundException)
        {
            failure = CancelExternalWorkflowExecutionFailedCause.NamespaceNotFound;
        }
        await FinishOnRunAsync(sourceKey, timer, t =>
        {
            if (t.State.ExternalRequests.TryGetValue(info.EventId, out var pending))
            {
                t.RecordExternalRequestResult(pending, failure == CancelExternalWorkflowExecutionFailedCause.Unspecified, failure);
            }
        }, ct);
    }

    /// <summary>
    /// Signals or cancels the target of a workflow's external request, run by the process that owns the target's
    /// shard; answers the failure cause (Unspecified when delivered).
    /// </summary>
    public async Task<int> DeliverExternalRequestHereAsync(ExternalRequestCall call, CancellationToken ct)
    {
        var execution = WorkflowExecution.Parser.ParseFrom(call.Execution);
        RequireLocal(call.TargetNamespaceId, execution.WorkflowId);
        var initiated = Temporalio.Api.History.V1.HistoryEvent.Parser.ParseFrom(call.Initiated);
        var source = new WorkflowExecution { WorkflowId = call.Source.WorkflowId, RunId = call.Source.RunId };
        try
        {
            var key = await ResolveAsync(call.TargetNamespaceId, execution, null, ct);
            await UpdateAsync(key, t =>
            {
                var s = t.State;
                if (call.ChildOnly && s.Parent?.RunId != call.Source.RunId)
                {
                    throw new EntityNotFoundException("target is not a child of the requesting workflow");
                }
                if (call.Signal)
                {
                    if (!s.IsOpen)
                    {
                        throw new EntityNotFoundException(AlreadyCompleted);
                    }
                    if (!s.SignalRequestIds.Contains(call.RequestId))
                    {
                        var a = initiated.SignalExternalWorkflowExecutionInitiatedEventAttributes;
                        t.Signal(a.SignalName, a.Input, "", a.Header, call.RequestId, false, source);
                    }
                }
                else if (s.IsOpen && !s.CancelRequested)
                {
                    var a = initiated.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes;
                    t.RequestCancel(a.Reason, "", source, call.InitiatedEventId);
                }
                return 0;
            }, ct);
            return (int)CancelExternalWorkflowExecutionFailedCause.Unspecified;
        }
        catch (EntityNotFoundException)
        {
            return (int)CancelExternalWorkflowExecutionFailedCause.ExternalWorkflowExecutionNotFound;
        }
    }

    /// <summary>
    /// Runs a step on the process that owns the target run's shard: here, or through <see cref="IRemoteRuns"/>.
    /// When the shard is between owners the step fails as unavailable and its durable task retries a second later.
    /// </summary>
    private async Task<T> OnOwnerAsync<T>(string namespaceId, string workflowId, Func<Task<T>> here, Func<string, Task<T>> there)
    {
        var route = ownership.Route(namespaceId, workflowId);
        return route.Kind switch
        {
            ShardRouteKind.Local => await here(),
            ShardRouteKind.Remote when remote is not null => await there(route.Address!),
            _ => throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count)),
        };
    }

    /// <summary>A forwarded step arrived at a process that does not own the run (any more): the caller retries.</summary>
    private void RequireLocal(string namespaceId, string workflowId)
    {
        if (!ownership.IsLocal(namespaceId, workflowId))
        {
            throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count));
        }
    }

    /// <summary>
    /// Applies the final step on an open run and deletes the task row with it; a closed or gone run just drops the
    /// row, unless <paramref name="passOn"/> says another run takes the step over (then the row stays until it does).
    /// </summary>
    private async Task FinishOnRunAsync(WorkflowKey key, TransferTaskRecord timer, Action<Transition> apply, CancellationToken ct,
        Func<MutableState, bool>? passOn = null)
    {
        var done = false;
        try
        {
            await UpdateAsync(key, t =>
            {
                if (t.State.IsOpen)
                {
                    t.DeleteTransferTask(timer.TaskId);
                    apply(t);
                    done = true;
                }
                else
                {
                    done = passOn?.Invoke(t.State) ?? false;
                }
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
        }
        if (!done)
        {
            await store.DeleteTransferTasksAsync([timer.TaskId], ct);
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
