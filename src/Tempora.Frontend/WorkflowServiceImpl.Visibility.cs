using Grpc.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Tempora.Visibility.Query;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using static Tempora.Frontend.VisibilityQueries;

namespace Tempora.Frontend;

/// <summary>Visibility: list, scan and count runs with Temporal's list-filter language.</summary>
public sealed partial class WorkflowServiceImpl
{
    public async Task<ListWorkflowExecutionsResponse> ListWorkflowExecutions(ListWorkflowExecutionsRequest request, ServerCallContext context)
    {
        var (executions, next) = await ListPageAsync(request.Namespace, request.Query, request.PageSize, request.NextPageToken, context);
        return new ListWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    /// <summary>Deprecated upstream; the same as List (the fixed order is stable for paging).</summary>
    public async Task<ScanWorkflowExecutionsResponse> ScanWorkflowExecutions(ScanWorkflowExecutionsRequest request, ServerCallContext context)
    {
        var (executions, next) = await ListPageAsync(request.Namespace, request.Query, request.PageSize, request.NextPageToken, context);
        return new ScanWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    public async Task<CountWorkflowExecutionsResponse> CountWorkflowExecutions(CountWorkflowExecutionsRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        var query = Compile(request.Query, ns, visibility, allowGroupBy: true);
        if (query.GroupBy is null)
        {
            return new CountWorkflowExecutionsResponse { Count = await visibility.CountAsync(ns.Id, query, context.CancellationToken) };
        }
        var response = new CountWorkflowExecutionsResponse();
        foreach (var (status, count) in await visibility.CountByStatusAsync(ns.Id, query, context.CancellationToken))
        {
            var group = new CountWorkflowExecutionsResponse.Types.AggregationGroup { Count = count };
            var name = StatusName((WorkflowExecutionStatus)status);
            group.GroupValues.Add(History.Visibility.SearchAttributeValues.Typed($"\"{name}\"", SearchAttributeType.Keyword));
            response.Groups.Add(group);
            response.Count += count;
        }
        return response;
    }

    public async Task<ListOpenWorkflowExecutionsResponse> ListOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest request, ServerCallContext context)
    {
        CheckTimeFilter(request.StartTimeFilter);
        var filters = new List<string> { "ExecutionStatus = 'Running'" };
        AddTimeFilter(filters, "StartTime", request.StartTimeFilter);
        AddExecutionOrTypeFilter(filters, request.ExecutionFilter, request.TypeFilter);
        var (executions, next) = await ListPageAsync(request.Namespace, string.Join(" AND ", filters), request.MaximumPageSize,
            request.NextPageToken, context);
        return new ListOpenWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    public async Task<ListClosedWorkflowExecutionsResponse> ListClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest request, ServerCallContext context)
    {
        CheckTimeFilter(request.StartTimeFilter);
        if (request.StatusFilter is { Status: WorkflowExecutionStatus.Unspecified or WorkflowExecutionStatus.Running })
        {
            throw new InvalidArgumentException("StatusFilter must be specified and must be not Running.");
        }
        // Like upstream, the time filter of closed runs applies to when they closed.
        var filters = new List<string> { "ExecutionStatus != 'Running'" };
        AddTimeFilter(filters, "CloseTime", request.StartTimeFilter);
        AddExecutionOrTypeFilter(filters, request.ExecutionFilter, request.TypeFilter);
        if (request.StatusFilter is { Status: not WorkflowExecutionStatus.Unspecified } statusFilter)
        {
            filters.Add($"ExecutionStatus = '{StatusName(statusFilter.Status)}'");
        }
        var (executions, next) = await ListPageAsync(request.Namespace, string.Join(" AND ", filters), request.MaximumPageSize,
            request.NextPageToken, context);
        return new ListClosedWorkflowExecutionsResponse { Executions = { executions }, NextPageToken = next };
    }

    /// <summary>Every system attribute and the custom ones of all namespaces (this RPC names no namespace).</summary>
    public async Task<GetSearchAttributesResponse> GetSearchAttributes(GetSearchAttributesRequest request, ServerCallContext context)
    {
        var response = new GetSearchAttributesResponse();
        foreach (var (name, type) in ListFilter.SystemAttributes)
        {
            response.Keys[name] = ToIndexed(type);
        }
        foreach (var ns in await history.Namespaces.ListAsync(context.CancellationToken))
        {
            foreach (var (name, type) in ns.CustomSearchAttributes)
            {
                response.Keys[name] = ToIndexed(type);
            }
        }
        return response;
    }

    /// <summary>One page of a list filter in the fixed order, and the token of the next page (empty at the end).</summary>
    private async Task<(IEnumerable<Temporalio.Api.Workflow.V1.WorkflowExecutionInfo> Executions, Google.Protobuf.ByteString Next)> ListPageAsync(
        string namespaceName, string? query, int pageSize, Google.Protobuf.ByteString pageToken, ServerCallContext context)
    {
        var ns = await NamespaceAsync(namespaceName, context);
        var page = await visibility.ListAsync(ns.Id, Compile(query, ns, visibility), PageSize(pageSize), PageCursor(pageToken),
            context.CancellationToken);
        return (page.Records.Select(r => Info(r, ns)), PageToken(page.Next));
    }

    private static void CheckTimeFilter(Temporalio.Api.Filter.V1.StartTimeFilter? filter)
    {
        if (filter is { EarliestTime: { } earliest, LatestTime: { } latest } && latest.Seconds > 0 && earliest.ToDateTimeOffset() > latest.ToDateTimeOffset())
        {
            throw new InvalidArgumentException("EarliestTime in StartTimeFilter should not be larger than LatestTime.");
        }
    }

    private static void AddTimeFilter(List<string> filters, string attribute, Temporalio.Api.Filter.V1.StartTimeFilter? filter)
    {
        if (filter?.EarliestTime is { } earliest)
        {
            filters.Add($"{attribute} >= {Literal(earliest)}");
        }
        if (filter?.LatestTime is { } latest && latest.Seconds > 0)
        {
            filters.Add($"{attribute} <= {Literal(latest)}");
        }
    }

    private static void AddExecutionOrTypeFilter(List<string> filters, Temporalio.Api.Filter.V1.WorkflowExecutionFilter? execution,
        Temporalio.Api.Filter.V1.WorkflowTypeFilter? type)
    {
        if (!string.IsNullOrEmpty(execution?.WorkflowId))
        {
            filters.Add($"WorkflowId = {Literal(execution.WorkflowId)}");
        }
        if (!string.IsNullOrEmpty(execution?.RunId))
        {
            filters.Add($"RunId = {Literal(execution.RunId)}");
        }
        if (!string.IsNullOrEmpty(type?.Name))
        {
            filters.Add($"WorkflowType = {Literal(type.Name)}");
        }
    }

    private static string StatusName(WorkflowExecutionStatus status) => status switch
    {
        WorkflowExecutionStatus.Running => "Running",
        WorkflowExecutionStatus.Completed => "Completed",
        WorkflowExecutionStatus.Failed => "Failed",
        WorkflowExecutionStatus.Canceled => "Canceled",
        WorkflowExecutionStatus.Terminated => "Terminated",
        WorkflowExecutionStatus.ContinuedAsNew => "ContinuedAsNew",
        WorkflowExecutionStatus.TimedOut => "TimedOut",
        _ => "Unspecified",
    };
}
