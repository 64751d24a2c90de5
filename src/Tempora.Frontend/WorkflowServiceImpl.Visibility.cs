using Grpc.Core;
using Tempora.Core.Errors;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using static Tempora.Frontend.IndexedValueTypes;

namespace Tempora.Frontend;

/// <summary>Visibility: list, scan and count runs with Temporal's list-filter language (served by <see cref="VisibilityService"/>).</summary>
internal partial class WorkflowServiceImpl
{
    public virtual async Task<ListWorkflowExecutionsResponse> ListWorkflowExecutions(ListWorkflowExecutionsRequest request, ServerCallContext context) =>
        await visibility.ListAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public virtual async Task<ScanWorkflowExecutionsResponse> ScanWorkflowExecutions(ScanWorkflowExecutionsRequest request, ServerCallContext context) =>
        await visibility.ScanAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public virtual async Task<CountWorkflowExecutionsResponse> CountWorkflowExecutions(CountWorkflowExecutionsRequest request, ServerCallContext context) =>
        await visibility.CountAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public virtual async Task<ListOpenWorkflowExecutionsResponse> ListOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest request, ServerCallContext context)
    {
        CheckTimeFilter(request.StartTimeFilter);
        return await visibility.ListOpenAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);
    }

    public virtual async Task<ListClosedWorkflowExecutionsResponse> ListClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest request, ServerCallContext context)
    {
        CheckTimeFilter(request.StartTimeFilter);
        if (request.StatusFilter is { Status: WorkflowExecutionStatus.Unspecified or WorkflowExecutionStatus.Running })
        {
            throw new InvalidArgumentException("StatusFilter must be specified and must be not Running.");
        }
        return await visibility.ListClosedAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);
    }

    /// <summary>Every system attribute and the custom ones of all namespaces (this RPC names no namespace).</summary>
    public virtual async Task<GetSearchAttributesResponse> GetSearchAttributes(GetSearchAttributesRequest request, ServerCallContext context)
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

    private async Task<VisibilityNamespace> VisibilityNamespaceAsync(string name, ServerCallContext context)
    {
        var ns = await NamespaceAsync(name, context);
        return new VisibilityNamespace(ns.Id, ns.CustomSearchAttributes);
    }

    private static void CheckTimeFilter(Temporalio.Api.Filter.V1.StartTimeFilter? filter)
    {
        if (filter is { EarliestTime: { } earliest, LatestTime: { } latest } && latest.Seconds > 0 && earliest.ToDateTimeOffset() > latest.ToDateTimeOffset())
        {
            throw new InvalidArgumentException("EarliestTime in StartTimeFilter should not be larger than LatestTime.");
        }
    }
}
