using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.Visibility.Query;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Visibility;

/// <summary>
/// The visibility RPCs after the frontend has validated the request and resolved its namespace: list filters are
/// parsed here (an invalid one is InvalidArgument), run through the store, and the rows turned into API messages.
/// </summary>
public sealed class VisibilityService(IVisibilityStore store)
{
    public async Task<ListWorkflowExecutionsResponse> ListAsync(VisibilityNamespace ns, ListWorkflowExecutionsRequest request, CancellationToken ct)
    {
        var (executions, next) = await ListPageAsync(ns, request.Query, request.PageSize, request.NextPageToken, ct);
        return new ListWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    /// <summary>Deprecated upstream; the same as List (the fixed order is stable for paging).</summary>
    public async Task<ScanWorkflowExecutionsResponse> ScanAsync(VisibilityNamespace ns, ScanWorkflowExecutionsRequest request, CancellationToken ct)
    {
        var (executions, next) = await ListPageAsync(ns, request.Query, request.PageSize, request.NextPageToken, ct);
        return new ScanWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    public async Task<ListOpenWorkflowExecutionsResponse> ListOpenAsync(VisibilityNamespace ns, ListOpenWorkflowExecutionsRequest request,
        CancellationToken ct)
    {
        var query = LegacyListFilters.Open(request.StartTimeFilter, request.ExecutionFilter, request.TypeFilter);
        var (executions, next) = await ListPageAsync(ns, query, request.MaximumPageSize, request.NextPageToken, ct);
        return new ListOpenWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    public async Task<ListClosedWorkflowExecutionsResponse> ListClosedAsync(VisibilityNamespace ns, ListClosedWorkflowExecutionsRequest request,
        CancellationToken ct)
    {
        var query = LegacyListFilters.Closed(request.StartTimeFilter, request.ExecutionFilter, request.TypeFilter, request.StatusFilter);
        var (executions, next) = await ListPageAsync(ns, query, request.MaximumPageSize, request.NextPageToken, ct);
        return new ListClosedWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    public async Task<CountWorkflowExecutionsResponse> CountAsync(VisibilityNamespace ns, CountWorkflowExecutionsRequest request, CancellationToken ct)
    {
        var query = Parse(request.Query, ns, allowGroupBy: true);
        if (!query.GroupByStatus)
        {
            return new CountWorkflowExecutionsResponse { Count = await store.CountAsync(ns.Id, query, ct) };
        }
        var response = new CountWorkflowExecutionsResponse();
        foreach (var (status, count) in await store.CountByStatusAsync(ns.Id, query, ct))
        {
            var group = new CountWorkflowExecutionsResponse.Types.AggregationGroup { Count = count };
            var name = LegacyListFilters.StatusName((WorkflowExecutionStatus)status);
            group.GroupValues.Add(SearchAttributeValues.Typed($"\"{name}\"", SearchAttributeType.Keyword));
            response.Groups.Add(group);
            response.Count += count;
        }
        return response;
    }

    /// <summary>Schedules are listed from their visibility rows (<see cref="ScheduleVisibility"/>), as on Temporal.</summary>
    public async Task<ListSchedulesResponse> ListSchedulesAsync(VisibilityNamespace ns, ListSchedulesRequest request, CancellationToken ct)
    {
        var query = Checked(() => ListFilter.ParseScheduleQuery(request.Query, ns.CustomSearchAttributes));
        var page = await store.ListAsync(ns.Id, query, PageTokens.PageSize(request.MaximumPageSize), PageTokens.Cursor(request.NextPageToken), ct);
        return new ListSchedulesResponse
        {
            Schedules = { page.Records.Select(r => ScheduleListEntries.From(r, ns)) },
            NextPageToken = PageTokens.Token(page.Next),
        };
    }

    public async Task<CountSchedulesResponse> CountSchedulesAsync(VisibilityNamespace ns, CountSchedulesRequest request, CancellationToken ct)
    {
        var query = Checked(() => ListFilter.ParseScheduleQuery(request.Query, ns.CustomSearchAttributes));
        return new CountSchedulesResponse { Count = await store.CountAsync(ns.Id, query, ct) };
    }

    /// <summary>One page of a list filter in the fixed order, and the token of the next page (empty at the end).</summary>
    private async Task<(IEnumerable<WorkflowExecutionInfo> Executions, ByteString Next)> ListPageAsync(
        VisibilityNamespace ns, string? query, int pageSize, ByteString pageToken, CancellationToken ct)
    {
        var page = await store.ListAsync(ns.Id, Parse(query, ns, allowGroupBy: false), PageTokens.PageSize(pageSize), PageTokens.Cursor(pageToken), ct);
        return (page.Records.Select(r => WorkflowExecutionInfos.From(r, ns)), PageTokens.Token(page.Next));
    }

    private static VisibilityQuery Parse(string? query, VisibilityNamespace ns, bool allowGroupBy) =>
        Checked(() => ListFilter.Parse(query, ns.CustomSearchAttributes, allowGroupBy));

    /// <summary>An invalid list filter is the caller's mistake: InvalidArgument with the parser's message.</summary>
    private static VisibilityQuery Checked(Func<VisibilityQuery> parse)
    {
        try
        {
            return parse();
        }
        catch (InvalidQueryException e)
        {
            throw new InvalidArgumentException(e.Message);
        }
    }
}
