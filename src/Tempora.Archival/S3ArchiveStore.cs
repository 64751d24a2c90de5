using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Tempora.Archival;

/// <summary>Blobs as objects in a bucket (s3:// URIs), keys under the URI's prefix.</summary>
public sealed class S3ArchiveStore(IAmazonS3 s3, string bucket, string prefix) : IArchiveStore
{
    public async Task PutAsync(string key, byte[] data, CancellationToken ct)
    {
        using var body = new MemoryStream(data, writable: false);
        await Named(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = Full(key),
            InputStream = body,
            UseChunkEncoding = false, // a plain signed body, which every S3-compatible store takes
        }, ct));
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = Full(key) }, ct);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception e)
        {
            throw Wrap(e);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string keyPrefix, string? startAfter, int limit, CancellationToken ct)
    {
        var response = await Named(() => s3.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = Full(keyPrefix),
            StartAfter = startAfter is null ? null : Full(startAfter),
            MaxKeys = limit,
        }, ct));
        return (response.S3Objects ?? []).Select(o => o.Key[Full("").Length..]).ToList();
    }

    private async Task<T> Named<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e)
        {
            throw Wrap(e);
        }
    }

    private ArchiveStoreException Wrap(AmazonS3Exception e) => new($"s3://{bucket}: {e.ErrorCode}: {e.Message}", e);

    private string Full(string key) => prefix.Length == 0 ? key : $"{prefix}/{key}";
}
