namespace Tempora.Persistence.Batches;

/// <summary>A batch write found the row at another version than it expected (or present, for a create): someone
/// else wrote it first. Nothing of the transaction was written.</summary>
public sealed class BatchConditionFailedException(string namespaceId, string jobId, long expectedVersion)
    : Exception($"Batch {jobId} in namespace {namespaceId} is no longer at version {expectedVersion}.")
{
    public string NamespaceId { get; } = namespaceId;

    public string JobId { get; } = jobId;

    public long ExpectedVersion { get; } = expectedVersion;
}
