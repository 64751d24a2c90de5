using System.Text.Json;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Batch;

/// <summary>
/// What a batch's row holds besides its columns: the request as started (its operation and selection), the query the
/// executions were selected with, the cursor (the next item to apply) and the counts. Stored as JSON, the request as
/// its protobuf bytes.
/// </summary>
internal sealed record BatchData
{
    public required byte[] Request { get; init; }

    /// <summary>The selection's query as run (Temporal narrows some operations to running executions); empty when the
    /// request listed executions.</summary>
    public required string Query { get; init; }

    /// <summary>The operations per second this batch runs at (the request's, or the default).</summary>
    public required double OperationsPerSecond { get; init; }

    /// <summary>How many executions the selection counted when the batch started (Temporal's estimate).</summary>
    public long TotalEstimate { get; init; }

    /// <summary>The selection has been stored as items (<see cref="ItemCount"/> of them).</summary>
    public bool Resolved { get; init; }

    public long ItemCount { get; init; }

    /// <summary>The sequence number of the first item not applied yet.</summary>
    public long NextItem { get; init; }

    public long CompleteCount { get; init; }

    public long FailureCount { get; init; }

    public DateTimeOffset? CloseTime { get; init; }

    public StartBatchOperationRequest StartRequest() => StartBatchOperationRequest.Parser.ParseFrom(Request);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static BatchData FromBytes(byte[] bytes) =>
        JsonSerializer.Deserialize<BatchData>(bytes) ?? throw new InvalidDataException("A batch's data is empty.");
}
