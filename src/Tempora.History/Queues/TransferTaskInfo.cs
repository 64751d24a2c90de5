using Temporalio.Api.Enums.V1;

namespace Tempora.History.Queues;

/// <summary>
/// The payload of a transfer task: work one run's transition asks of another run. <paramref name="EventId"/> is the
/// initiating event (child initiated, external request initiated) of the run the task belongs to or acts on.
/// </summary>
internal sealed record TransferTaskInfo(TransferTaskKind Kind, long EventId = 0)
{
    /// <summary>The run the task acts on, for NotifyParent (the parent) and ParentClosePolicy (the child).</summary>
    public string TargetNamespaceId { get; init; } = "";
    public string TargetWorkflowId { get; init; } = "";
    public string TargetRunId { get; init; } = "";
    public ParentClosePolicy Policy { get; init; }

    /// <summary>The child's close event, for NotifyParent.</summary>
    public Temporalio.Api.History.V1.HistoryEvent? Event { get; init; }
}
