using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Batch;

/// <summary>What a batch does outside its own rows: select the executions a query matches, and apply its operation to
/// one of them (<see cref="BatchOperations"/> through the frontend; a fake in the runner's tests).</summary>
internal interface IBatchExecutor
{
    Task<IReadOnlyList<WorkflowExecution>> SelectAsync(string ns, string query, CancellationToken ct);

    /// <summary>Applies the batch's operation; throws the call's <see cref="Grpc.Core.RpcException"/> when refused.</summary>
    Task ApplyAsync(StartBatchOperationRequest batch, string requestId, WorkflowExecution execution, CancellationToken ct);
}
