using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Op = Temporalio.Api.WorkflowService.V1.StartBatchOperationRequest.OperationOneofCase;

namespace Tempora.Frontend.Validation;

/// <summary>
/// The batch requests' checks, in Temporal 1.28's order and words (service/frontend/workflow_handler.go). What its
/// batch workflow would only find later (a signal without a name) is refused here at once.
/// </summary>
internal static class BatchValidation
{
    private const string Message = nameof(StartBatchOperationRequest);

    /// <summary>Checks a start; answers the query the selection runs (Temporal narrows the operations that only apply
    /// to running executions), or "" when the request lists executions.</summary>
    public static string Validate(StartBatchOperationRequest r, int maxExecutions, PayloadLimits limits)
    {
        if (r.TargetExecutions.Count > 0)
        {
            throw new UnimplementedException($"{Message}.target_executions is not supported by this server; list the workflows in executions.");
        }
        RequireJobId(r.JobId);
        if (r.VisibilityQuery.Length == 0 && r.Executions.Count == 0)
        {
            throw new InvalidArgumentException("Workflow executions and visibility filter are not set on request.");
        }
        if (r.VisibilityQuery.Length != 0 && r.Executions.Count != 0)
        {
            throw new InvalidArgumentException("Workflow executions and visibility filter are both set on request. Only one of them is allowed.");
        }
        if (r.Executions.Count > maxExecutions)
        {
            throw new InvalidArgumentException("Workflow executions count exceeded.");
        }
        RequireReason(r.Reason);
        if (r.OperationCase == Op.None)
        {
            throw new InvalidArgumentException("Batch operation is not set on request.");
        }
        var runningOnly = false;
        switch (r.OperationCase)
        {
            case Op.TerminationOperation:
                RequestChecks.CheckBlob(limits, r.TerminationOperation.Details, "details");
                runningOnly = true;
                break;
            case Op.CancellationOperation:
                runningOnly = true;
                break;
            case Op.SignalOperation:
                if (r.SignalOperation.Signal.Length == 0)
                {
                    throw new InvalidArgumentException("must provide signal name");
                }
                RequestChecks.CheckLength(r.SignalOperation.Signal, "SignalName");
                RequestChecks.CheckBlob(limits, r.SignalOperation.Input, "signal input");
                RequestChecks.CheckBlob(limits, r.SignalOperation.Header, "header");
                runningOnly = true;
                break;
            case Op.DeletionOperation:
                break;
            case Op.ResetOperation:
                CheckReset(r.ResetOperation, limits);
                break;
            case Op.UpdateWorkflowOptionsOperation:
                // Each run gets UpdateWorkflowExecutionOptions with these options and mask: checked as that request is.
                var options = r.UpdateWorkflowOptionsOperation;
                ActivityControlValidation.Validate(new UpdateWorkflowExecutionOptionsRequest
                {
                    WorkflowExecution = new() { WorkflowId = "batch" },
                    WorkflowExecutionOptions = options.WorkflowExecutionOptions,
                    UpdateMask = options.UpdateMask,
                });
                runningOnly = true;
                break;
            case Op.UnpauseActivitiesOperation:
                CheckUnpause(r.UnpauseActivitiesOperation);
                runningOnly = true;
                break;
            default:
                // Operations newer than 1.28, answered as 1.28 answers an operation it does not know.
                throw new InvalidArgumentException($"The operation type *workflowservice.StartBatchOperationRequest_{r.OperationCase} is not supported");
        }
        return r.VisibilityQuery.Length == 0 ? "" : runningOnly ? $"({r.VisibilityQuery}) AND (ExecutionStatus='Running')" : r.VisibilityQuery;
    }

    public static void Validate(DescribeBatchOperationRequest r) => RequireJobId(r.JobId);

    public static void Validate(StopBatchOperationRequest r)
    {
        RequireJobId(r.JobId);
        RequireReason(r.Reason);
    }

    private static void CheckReset(Temporalio.Api.Batch.V1.BatchOperationReset reset, PayloadLimits limits)
    {
        if (reset.Options is { } options)
        {
            switch (options.TargetCase)
            {
                case ResetOptions.TargetOneofCase.None:
                    throw new InvalidArgumentException("batch reset missing target");
            }
            // What a reset request checks of the same settings (reapply exclusions, post-reset operations).
            var probe = new ResetWorkflowExecutionRequest { ResetReapplyType = options.ResetReapplyType };
            probe.ResetReapplyExcludeTypes.Add(options.ResetReapplyExcludeTypes);
            probe.PostResetOperations.Add(reset.PostResetOperations);
            ResetWorkflowExecutionValidation.Validate(probe, limits);
        }
        else if (reset.ResetType is not (ResetType.FirstWorkflowTask or ResetType.LastWorkflowTask))
        {
            throw new InvalidArgumentException($"unknown batch reset type {EnumName(reset.ResetType)}");
        }
        else if (reset.PostResetOperations.Count > 0)
        {
            // Temporal reads them only with options.
            throw new InvalidArgumentException($"{Message}.reset_operation.post_reset_operations needs reset_operation.options.");
        }
    }

    private static void CheckUnpause(Temporalio.Api.Batch.V1.BatchOperationUnpauseActivities unpause)
    {
        switch (unpause.ActivityCase)
        {
            case Temporalio.Api.Batch.V1.BatchOperationUnpauseActivities.ActivityOneofCase.None:
                throw new InvalidArgumentException("activity filter must be set");
            case Temporalio.Api.Batch.V1.BatchOperationUnpauseActivities.ActivityOneofCase.Type when unpause.Type.Length == 0:
            case Temporalio.Api.Batch.V1.BatchOperationUnpauseActivities.ActivityOneofCase.MatchAll when !unpause.MatchAll:
                throw new InvalidArgumentException("Either activity type must be set, or match all should be set to true");
        }
    }

    private static string EnumName(ResetType type) =>
        typeof(ResetType).GetField(type.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void RequireJobId(string jobId)
    {
        if (jobId.Length == 0)
        {
            throw new InvalidArgumentException("JobId is not set on request.");
        }
        RequestChecks.CheckLength(jobId, "JobId");
    }

    private static void RequireReason(string reason)
    {
        if (reason.Length == 0)
        {
            throw new InvalidArgumentException("Reason is not set on request.");
        }
    }
}
