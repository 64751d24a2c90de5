using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// The checks of request fields the RPC validations share, worded as Temporal's frontend words them; the single-field
/// length, blob and limit checks are history's <see cref="RequestChecks"/>, which child starts use too.
/// </summary>
internal static class RequestFields
{
    /// <summary>The run a request addresses: a workflow id is required, a run id is optional but must be a UUID.</summary>
    public static void CheckExecution(WorkflowExecution? execution)
    {
        if (string.IsNullOrEmpty(execution?.WorkflowId))
        {
            throw new InvalidArgumentException("WorkflowId is not set on request.");
        }
        if (!string.IsNullOrEmpty(execution.RunId) && !Guid.TryParse(execution.RunId, out _))
        {
            throw new InvalidArgumentException("Invalid RunId.");
        }
    }

    /// <summary>
    /// As <see cref="CheckExecution"/> for cancel and terminate: with first_execution_run_id they address the chain's
    /// current run and ignore the run id given (as Temporal does), so it is not checked then.
    /// </summary>
    public static void CheckExecutionAcrossRuns(WorkflowExecution? execution, string firstExecutionRunId) =>
        CheckExecution(string.IsNullOrEmpty(firstExecutionRunId) || execution is null
            ? execution
            : new WorkflowExecution { WorkflowId = execution.WorkflowId });
}
