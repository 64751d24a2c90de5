namespace Tempora.Persistence.Batches;

/// <summary>
/// A change to one batch, applied only if its row is still at <paramref name="ExpectedVersion"/> (0: no row may
/// exist, the write creates it): the row becomes <paramref name="Record"/> (whose Version is ExpectedVersion + 1) and
/// each of <paramref name="Items"/> is inserted or replaces the item of its sequence number, in one transaction.
/// </summary>
public sealed record BatchWrite(long ExpectedVersion, BatchRecord Record, IReadOnlyList<BatchItem> Items)
{
    public bool IsCreate => ExpectedVersion == 0;

    /// <summary>Throws <see cref="ArgumentException"/> when the write contradicts itself (a caller's bug).</summary>
    public void ThrowIfInconsistent()
    {
        if (ExpectedVersion < 0 || Record.Version != ExpectedVersion + 1)
        {
            throw new ArgumentException(
                $"Inconsistent write of batch {Record.JobId} in namespace {Record.NamespaceId}: the record's version must be {ExpectedVersion + 1}.");
        }
    }
}
