using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Tempora.History.Api;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

internal static class SignalWithStartWorkflowExecutionValidation
{
    /// <summary>The signal's fields, then the start's (<see cref="StartRequestValidation"/>); returns the namespace to start under.</summary>
    public static Task<NamespaceRecord> ValidateAsync(NamespaceRecord ns, SignalWithStartWorkflowExecutionRequest r, PayloadLimits limits,
        NamespaceRegistry namespaces, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.SignalName))
        {
            throw new InvalidArgumentException("SignalName is not set on request.");
        }
        RequestChecks.CheckLength(r.SignalName, "SignalName");
        RequestChecks.CheckBlob(limits, r.SignalInput, "signal input");
        if (r.WorkflowIdConflictPolicy == WorkflowIdConflictPolicy.Fail)
        {
            throw new InvalidArgumentException("SignalWithStartWorkflowExecution doesn't accept WorkflowIdConflictPolicy FAIL.");
        }
        return StartRequestValidation.ValidateAsync(ns, StartSpec.Of(r), WorkflowIdConflictPolicy.UseExisting, limits, namespaces, ct);
    }
}
