using Grpc.Core;
using Tempora.Frontend.Validation;
using Tempora.Visibility;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>Batch operations: the namespace, the request and the selection's query checked here, the rest in the worker
/// role's <see cref="Worker.Batch.BatchService"/> on the owner of the job id's shard (docs/batch.md).</summary>
internal partial class WorkflowServiceImpl
{
    /// <summary>Temporal's <c>frontend.visibilityMaxPageSize</c>, the page size of a list that asks for none (or more).</summary>
    private const int BatchListMaxPageSize = 1000;

    public virtual async Task<StartBatchOperationResponse> StartBatchOperation(StartBatchOperationRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        var query = BatchValidation.Validate(request, batches.Limits.MaxExecutions, history.Limits);
        // Counting checks the query (InvalidArgument before anything is stored) and gives the estimate describe shows
        // until the selection is stored, as Temporal's batcher counts first.
        var estimate = query.Length == 0
            ? request.Executions.Count
            : (await visibility.CountAsync(new VisibilityNamespace(ns.Id, ns.CustomSearchAttributes),
                new CountWorkflowExecutionsRequest { Namespace = request.Namespace, Query = query }, context.CancellationToken)).Count;
        await batches.StartAsync(ns, request, query, estimate, context.CancellationToken);
        return new StartBatchOperationResponse();
    }

    public virtual async Task<DescribeBatchOperationResponse> DescribeBatchOperation(DescribeBatchOperationRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        BatchValidation.Validate(request);
        return await batches.DescribeAsync(ns, request.JobId, context.CancellationToken);
    }

    public virtual async Task<ListBatchOperationsResponse> ListBatchOperations(ListBatchOperationsRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        var pageSize = request.PageSize <= 0 || request.PageSize > BatchListMaxPageSize ? BatchListMaxPageSize : request.PageSize;
        return await batches.ListAsync(ns, request, pageSize, context.CancellationToken);
    }

    public virtual async Task<StopBatchOperationResponse> StopBatchOperation(StopBatchOperationRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        BatchValidation.Validate(request);
        await batches.StopAsync(ns, request, context.CancellationToken);
        return new StopBatchOperationResponse();
    }
}
