using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.History;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Validation;

/// <summary>The checks of single request fields the RPC validations share, worded as Temporal's frontend words them.</summary>
internal static class RequestFields
{
    public static void CheckLength(string? value, string what)
    {
        if (value is not null && value.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException($"{what} exceeds length limit.");
        }
    }

    /// <summary>InvalidArgument when a payload-bearing field of a request is over the blob limit.</summary>
    public static void CheckBlob(PayloadLimits limits, IMessage? payloads, string what)
    {
        if (limits.IsBlobTooLarge(payloads))
        {
            throw new InvalidArgumentException($"Blob data size exceeds limit ({what}).");
        }
    }

    /// <summary>InvalidArgument with the problem a limit check found, if any.</summary>
    public static void ThrowIfProblem(string? problem)
    {
        if (problem is not null)
        {
            throw new InvalidArgumentException(problem);
        }
    }

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
