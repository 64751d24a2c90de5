namespace Tempora.Worker.Batch;

/// <summary>Temporal 1.28's batch defaults (dynamic config), the same for every namespace here.</summary>
public sealed record BatchLimits
{
    /// <summary><c>worker.batcherRPS</c>: the rate when a request asks none, and the most it may ask.</summary>
    public double OperationsPerSecond { get; init; } = 50;

    /// <summary><c>frontend.MaxConcurrentBatchOperationPerNamespace</c>: running batches a namespace may have.</summary>
    public int MaxConcurrentPerNamespace { get; init; } = 1;

    /// <summary><c>frontend.MaxExecutionCountBatchOperationPerNamespace</c>: executions a request may list.</summary>
    public int MaxExecutions { get; init; } = 1000;
}
