using Tempora.Core;
using Tempora.Persistence;

namespace Tempora.History;

/// <summary>
/// The steps one run's durable task takes on another run (start a child, tell a parent, apply a parent close policy,
/// signal or cancel a workflow), sent to the process that owns the other run's shard when that is not this one.
/// The receiving process runs the same code as a local step (<see cref="HistoryEngine"/>.*HereAsync).
/// </summary>
public interface IRemoteRuns
{
    Task<ChildStartOutcome> StartChildAsync(string address, ChildStartCall call, CancellationToken ct);

    Task<Api.ScheduledStartOutcome> StartScheduledAsync(string address, Api.ScheduledStartCall call, CancellationToken ct);

    Task<bool> NotifyParentAsync(string address, TransferTaskRecord timer, CancellationToken ct);

    /// <summary>Delivers a run's close to the Nexus operation that started it (a CompleteNexusOperation transfer task).</summary>
    Task<bool> CompleteNexusOperationAsync(string address, TransferTaskRecord task, CancellationToken ct);

    Task<bool> ApplyParentClosePolicyAsync(string address, TransferTaskRecord timer, CancellationToken ct);

    /// <summary>Answers the CancelExternalWorkflowExecutionFailedCause (Unspecified when delivered).</summary>
    Task<int> DeliverExternalRequestAsync(string address, ExternalRequestCall call, CancellationToken ct);
}

/// <summary>
/// A child to start: the parent's initiated-event attributes, root execution and the command's user metadata as
/// protobuf bytes, and the start's request id (the same for every run of the parent that carries the initiation); a
/// pinned parent's version and pinned override when the child inherits them (<c>RunInheritance</c>).
/// </summary>
public sealed record ChildStartCall(
    string TargetNamespaceId, byte[] Initiated, string ParentNamespaceName, string ParentNamespaceId, string ParentWorkflowId,
    string ParentRunId, long InitiatedEventId, byte[] Root, string RequestId, byte[]? UserMetadata,
    byte[]? InheritedPinnedVersion = null, byte[]? PinnedOverride = null);

/// <summary>
/// The child's run id, or why it could not start (a StartChildWorkflowExecutionFailedCause). When the workflow id is
/// taken by a child that another run of the same parent workflow started, <paramref name="SiblingParentRunId"/> names
/// that run.
/// </summary>
public sealed record ChildStartOutcome(string? RunId, int Cause, string? SiblingParentRunId = null);

/// <summary>A signal or cancellation request of <paramref name="Source"/>; execution and initiated event as protobuf bytes.</summary>
public sealed record ExternalRequestCall(
    string TargetNamespaceId, bool Signal, byte[] Execution, bool ChildOnly, WorkflowKey Source, string RequestId, long InitiatedEventId,
    byte[] Initiated);
