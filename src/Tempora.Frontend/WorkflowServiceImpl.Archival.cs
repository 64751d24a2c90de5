using Google.Protobuf;
using Grpc.Core;
using Tempora.Archival;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>The read side of archival: archived histories and ListArchivedWorkflowExecutions (docs/archival.md).</summary>
internal sealed partial class WorkflowServiceImpl
{
    /// <summary>Temporal's visibility.archivalQueryMaxPageSize default.</summary>
    private const int ArchivedQueryMaxPageSize = 10000;

    public async Task<ListArchivedWorkflowExecutionsResponse> ListArchivedWorkflowExecutions(
        ListArchivedWorkflowExecutionsRequest request, ServerCallContext context)
    {
        var pageSize = request.PageSize <= 0 ? ArchivedQueryMaxPageSize : request.PageSize;
        if (pageSize > ArchivedQueryMaxPageSize)
        {
            throw new InvalidArgumentException($"Page size {request.PageSize} is too big; the maximum is {ArchivedQueryMaxPageSize}.");
        }
        if (!archival.Visibility.Enabled)
        {
            throw new InvalidArgumentException("Cluster is not configured for visibility archival.");
        }
        if (!archival.Visibility.EnableRead)
        {
            throw new InvalidArgumentException("Cluster is not configured for reading archived visibility records.");
        }
        var ns = await NamespaceAsync(request.Namespace, context);
        if (ns.Config.VisibilityArchivalState != ArchivalState.Enabled)
        {
            throw new InvalidArgumentException("Namespace is not configured for visibility archival.");
        }
        var uri = ArchivalUri.Parse(ns.Config.VisibilityArchivalUri, "namespace visibility_archival_uri");
        var query = ArchivedQuery.Parse(request.Query);
        var (executions, next) = await visibilityArchiver.QueryAsync(uri, archival.Visibility, ns.Id, query, pageSize, request.NextPageToken,
            context.CancellationToken);
        var response = new ListArchivedWorkflowExecutionsResponse { NextPageToken = next };
        foreach (var info in executions)
        {
            // As Temporal: a record with no execution time (not a cron or retry) shows its start time.
            info.ExecutionTime ??= info.StartTime;
            info.SearchAttributes = OutgoingSearchAttributes.Typed(info.SearchAttributes, ns);
            response.Executions.Add(info);
        }
        return response;
    }

    /// <summary>
    /// Whether a history NotFound is answered from the archive, as Temporal decides: a run id is given, archival is not
    /// skipped, the cluster reads archived histories, and the namespace has (had) a history archival URI.
    /// </summary>
    private bool ReadsArchivedHistory(NamespaceRecord ns, GetWorkflowExecutionHistoryRequest request) =>
        !request.SkipArchival && request.Execution is { RunId.Length: > 0 } && archival.History.EnableRead
        && ns.Config.HistoryArchivalUri.Length > 0;

    /// <summary>The archived history's page (Archived set), or null when the run is not in the archive either.</summary>
    private async Task<GetWorkflowExecutionHistoryResponse?> ArchivedHistoryAsync(NamespaceRecord ns, GetWorkflowExecutionHistoryRequest request,
        CancellationToken ct)
    {
        var uri = ArchivalUri.Parse(ns.Config.HistoryArchivalUri, "namespace history_archival_uri");
        var closeOnly = request.HistoryEventFilterType == HistoryEventFilterType.CloseEvent;
        var page = await historyArchiver.GetAsync(uri, archival.History, ns.Id, request.Execution.WorkflowId, request.Execution.RunId,
            closeOnly ? 0 : request.MaximumPageSize, closeOnly ? ByteString.Empty : request.NextPageToken, ct);
        if (page is not { } found)
        {
            return null;
        }
        var history = found.Page;
        if (closeOnly)
        {
            // The close event alone, as for a stored run: the archived history is complete, so it is the last one.
            history = new Temporalio.Api.History.V1.History { Events = { history.Events[^1] } };
            return new GetWorkflowExecutionHistoryResponse { History = history, Archived = true };
        }
        return new GetWorkflowExecutionHistoryResponse { History = history, NextPageToken = found.NextPageToken, Archived = true };
    }
}
