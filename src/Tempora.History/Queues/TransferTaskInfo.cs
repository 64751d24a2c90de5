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

    /// <summary>The attempt of the Nexus start or cancel request the task sends: a task of another attempt is stale.</summary>
    public int Attempt { get; init; }

    /// <summary>For CompleteNexusOperation: the callback token naming the caller's operation.</summary>
    public string CallbackToken { get; init; } = "";

    /// <summary>For CompleteNexusOperation: the operation token the handler gave the operation, if its callback said.</summary>
    public string OperationToken { get; init; } = "";

    /// <summary>The child's close event, for NotifyParent; the run's close event, for CompleteNexusOperation.</summary>
    public Temporalio.Api.History.V1.HistoryEvent? Event { get; init; }
}
