namespace Tempora.Archival;

/// <summary>
/// Where archived blobs live, by key ('/'-separated, no leading slash): a directory (file://) or a bucket (s3://).
/// Writes are whole-object and idempotent (the same key always gets the same bytes), so a retried archive is harmless.
/// </summary>
public interface IArchiveStore
{
    Task PutAsync(string key, byte[] data, CancellationToken ct);

    /// <summary>The blob, or null when there is none under <paramref name="key"/>.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> keys under <paramref name="prefix"/> in ordinal order, after <paramref name="startAfter"/>.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, string? startAfter, int limit, CancellationToken ct);
}
