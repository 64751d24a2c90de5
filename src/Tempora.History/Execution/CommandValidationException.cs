using Temporalio.Api.Enums.V1;

namespace Tempora.History.Execution;

/// <summary>
/// A workflow task completion carried a command the server rejects. The completion is discarded, the task is failed
/// with <see cref="Cause"/>, and the worker gets InvalidArgument (temporal-compat.md §3.3 rule 6).
/// </summary>
internal sealed class CommandValidationException(WorkflowTaskFailedCause cause, string message, bool terminatesWorkflow = false) : Exception(message)
{
    public WorkflowTaskFailedCause Cause { get; } = cause;

    /// <summary>A payload over the blob limit: upstream fails the task and then terminates the workflow (§3.3 rule 6).</summary>
    public bool TerminatesWorkflow { get; } = terminatesWorkflow;
}
