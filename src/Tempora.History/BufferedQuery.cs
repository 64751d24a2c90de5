using Temporalio.Api.Query.V1;

namespace Tempora.History;

/// <summary>
/// A query that arrived while its run had a workflow task in flight (or had completed none). It waits in the run's
/// context and goes to the worker with the next workflow task started, whose completion answers it (upstream's query
/// registry, service/history/workflow/query_registry.go). In memory only, like upstream's.
/// </summary>
internal sealed class BufferedQuery(WorkflowQuery query)
{
    public WorkflowQuery Query { get; } = query;

    /// <summary>Set from RespondWorkflowTaskCompleted's query_results.</summary>
    public TaskCompletionSource<WorkflowQueryResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
