using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Pages;

/// <summary>An operation the workflow list can apply to many workflows at once, through StartBatchOperation.</summary>
/// <param name="Name">The form value and the word in URLs.</param>
/// <param name="Verb">How the confirmation says it: "Terminate 3 workflows".</param>
/// <param name="RunningOnly">
/// Whether only running workflows can take it: then "all matching" adds ExecutionStatus = 'Running' to the query, as
/// the Temporal UI does, so that the count shown is the count acted on and closed runs are not counted as failures.
/// </param>
internal sealed record BatchOperationKind(string Name, string Title, string Verb, string ButtonClass, bool RunningOnly, BatchOperationType Type)
{
    public static readonly BatchOperationKind Terminate = new("terminate", "Terminate", "Terminate", "danger", true, BatchOperationType.Terminate);
    public static readonly BatchOperationKind Cancel = new("cancel", "Cancel", "Request cancellation of", "warn", true, BatchOperationType.Cancel);
    public static readonly BatchOperationKind Signal = new("signal", "Signal", "Signal", "", true, BatchOperationType.Signal);
    public static readonly BatchOperationKind Reset = new("reset", "Reset", "Reset", "danger", false, BatchOperationType.Reset);

    public static readonly IReadOnlyList<BatchOperationKind> All = [Terminate, Cancel, Signal, Reset];

    public static BatchOperationKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
