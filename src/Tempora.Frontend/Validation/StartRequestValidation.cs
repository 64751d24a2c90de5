using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Api;
using Tempora.History.Validation;
using Tempora.Persistence;
using Tempora.Visibility;
using Temporalio.Api.Enums.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// The start of StartWorkflowExecution, signal-with-start and update-with-start: the start's fields, its search
/// attributes against the namespace, then its id policies. The field and policy rules are history's
/// <see cref="StartRules"/>, which also checks child starts (those come from workflow commands, not requests).
/// </summary>
internal static class StartRequestValidation
{
    /// <summary>Returns the namespace record to start under: reloaded when a search attribute was unknown to the cached one.</summary>
    public static async Task<NamespaceRecord> ValidateAsync(NamespaceRecord ns, StartSpec spec, WorkflowIdConflictPolicy defaultConflict,
        PayloadLimits limits, NamespaceRegistry namespaces, CancellationToken ct)
    {
        StartRules.CheckFields(spec, limits);
        ns = await SearchAttributeValidation.ValidateAsync(ns, spec.SearchAttributes, limits, namespaces, ct);
        StartRules.Policies(spec, defaultConflict);
        return ns;
    }
}
