using Google.Protobuf;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>
/// Starts the child a StartChildWorkflowExecution command asked for, then records on the parent that it started or
/// could not. Queued as an immediate durable task in the parent's transaction; each step is idempotent.
/// </summary>
internal sealed class StartChildHandler(
    IExecutionStore store, NamespaceRegistry namespaces, TimeProvider time, CrossRunSteps steps, WorkflowStarter starter, IRemoteRuns? remote,
    Tempora.Core.Versioning.IDeploymentRouting? routing = null)
{
    public async Task StartChildAsync(TransferTaskRecord timer, TransferTaskInfo info, CancellationToken ct)
    {
        var parentKey = timer.Key;
        var pending = await steps.TryReadAsync(parentKey, s => s.IsOpen && s.Children.TryGetValue(info.EventId, out var c) && !c.Started
            ? (Child: c, s.Root, RequestId: c.StartRequestId(s.RunId), s.StartTime,
                Inherited: Execution.RunInheritance.ForNewRun(s, s.NamespaceId, c.Initiated.TaskQueue?.Name ?? "", routing))
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
                pending.Child.UserMetadata?.ToByteArray(),
                // A child in another namespace inherits nothing.
                target.Id == parentKey.NamespaceId ? pending.Inherited.Version?.ToByteArray() : null,
                target.Id == parentKey.NamespaceId ? pending.Inherited.Override?.ToByteArray() : null);
            var outcome = await steps.OnOwnerAsync(target.Id, a.WorkflowId,
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
        await steps.FinishOnRunAsync(parentKey, timer, t =>
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
        steps.RequireLocal(call.TargetNamespaceId, a.WorkflowId);
        try
        {
            var target = await namespaces.GetByIdAsync(call.TargetNamespaceId, ct);
            var parentExecution = new WorkflowExecution { WorkflowId = call.ParentWorkflowId, RunId = call.ParentRunId };
            var spec = new StartSpec(a.WorkflowId, a.WorkflowType, a.TaskQueue, a.Input, a.WorkflowExecutionTimeout, a.WorkflowRunTimeout,
                a.WorkflowTaskTimeout, "", call.RequestId, a.WorkflowIdReusePolicy, WorkflowIdConflictPolicy.Fail,
                a.RetryPolicy, a.CronSchedule, a.Memo, a.SearchAttributes, a.Header, null, a.Priority,
                call.UserMetadata is { } metadata ? Temporalio.Api.Sdk.V1.UserMetadata.Parser.ParseFrom(metadata) : null)
            {
                InheritedPinnedVersion = call.InheritedPinnedVersion is { } version
                    ? Temporalio.Api.Deployment.V1.WorkerDeploymentVersion.Parser.ParseFrom(version)
                    : null,
                VersioningOverride = call.PinnedOverride is { } pinned ? Temporalio.Api.Workflow.V1.VersioningOverride.Parser.ParseFrom(pinned) : null,
            };
            var (runId, _) = await starter.StartAsync(target, spec, null, WorkflowIdConflictPolicy.Fail, ct,
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
            var sibling = taken.Running ? await SiblingParentRunAsync(call, a.WorkflowId, taken.RunId, ct) : null;
            return new ChildStartOutcome(null, (int)StartChildWorkflowExecutionFailedCause.WorkflowAlreadyExists, sibling);
        }
    }

    /// <summary>How long after a reset its run waits for the children of the run it replaced to be closed.</summary>
    private static readonly TimeSpan OrphanGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The run of the same parent workflow that started the running workflow holding a child's id, if any. The holder
    /// may have closed since the start was refused (the replaced run's close policy races with this start): it still
    /// counts, so the start is tried again rather than failed.
    /// </summary>
    private async Task<string?> SiblingParentRunAsync(ChildStartCall call, string workflowId, string runId, CancellationToken ct)
    {
        var holder = await steps.TryReadAsync(new WorkflowKey(call.TargetNamespaceId, workflowId, runId), s => s.Parent, ct);
        return holder is not null && holder.NamespaceId == call.ParentNamespaceId && holder.WorkflowId == call.ParentWorkflowId
            && holder.RunId != call.ParentRunId
            ? holder.RunId
            : null;
    }
}
