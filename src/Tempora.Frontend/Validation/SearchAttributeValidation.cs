using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Tempora.Persistence;
using Tempora.Visibility;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// A request's search attributes against its namespace, in Temporal's order: the number of keys, then names and types,
/// then sizes. Returns the namespace record to go on with: reloaded when an attribute was unknown to the cached one.
/// </summary>
internal static class SearchAttributeValidation
{
    public static async Task<NamespaceRecord> ValidateAsync(NamespaceRecord ns, SearchAttributes? attributes, PayloadLimits limits,
        NamespaceRegistry namespaces, CancellationToken ct)
    {
        RequestChecks.ThrowIfProblem(limits.SearchAttributesCountProblem(attributes));
        try
        {
            SearchAttributeValues.Validate(attributes, ns.CustomSearchAttributes);
        }
        catch (InvalidArgumentException)
        {
            // The attribute may have been added through another replica since this one cached the namespace.
            ns = await namespaces.ReloadAsync(ns, ct);
            SearchAttributeValues.Validate(attributes, ns.CustomSearchAttributes);
        }
        RequestChecks.ThrowIfProblem(limits.SearchAttributesSizeProblem(attributes));
        return ns;
    }
}
