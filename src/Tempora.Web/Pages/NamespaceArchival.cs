using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// A namespace's archival settings as DescribeNamespace reports them: whether closed runs' histories and visibility
/// records are archived, and where. The UI reads archives only through the standard RPCs, so this is all it knows.
/// </summary>
internal sealed record NamespaceArchival(bool HistoryEnabled, string HistoryUri, bool VisibilityEnabled, string VisibilityUri, string Retention)
{
    public static async Task<NamespaceArchival> LoadAsync(UiRequest request, string ns)
    {
        ArgumentNullException.ThrowIfNull(request);
        var description = await request.CallAsync<DescribeNamespaceRequest, DescribeNamespaceResponse>(new() { Namespace = ns });
        var config = description.Config ?? new();
        return new NamespaceArchival(
            config.HistoryArchivalState == ArchivalState.Enabled, config.HistoryArchivalUri,
            config.VisibilityArchivalState == ArchivalState.Enabled, config.VisibilityArchivalUri,
            Rendering.Format.Duration(config.WorkflowExecutionRetentionTtl));
    }
}
