using System.Collections.Concurrent;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Tempora.Archival;

/// <summary>
/// The store behind an archival URI, with the cluster's provider settings for its kind. One S3 client per provider
/// settings, shared (it pools connections); credentials from the AWS SDK's default chain, resolved per request, so
/// credentials fixed in the environment (a rotated Secret) are picked up by the next attempt after a restart.
/// </summary>
public sealed class ArchiveStores : IDisposable
{
    // Made at the first s3:// archive: until then the AWS SDK is not loaded (2.3 MB of code resident in every server
    // that archives to files or nowhere).
    private S3Clients? _s3;

    public IArchiveStore For(ArchivalUri uri, ArchivalKindSettings settings) => uri.Scheme switch
    {
        ArchivalUri.File => new FileArchiveStore(uri.Location, settings.FileStore ?? new FileStoreSettings()),
        ArchivalUri.S3 => S3().Store(uri, settings),
        _ => throw new ArgumentException($"no archive store for scheme {uri.Scheme}", nameof(uri)),
    };

    private S3Clients S3()
    {
        if (Volatile.Read(ref _s3) is { } s3)
        {
            return s3;
        }
        var made = new S3Clients();
        return Interlocked.CompareExchange(ref _s3, made, null) ?? made;
    }

    public void Dispose() => Volatile.Read(ref _s3)?.Dispose();

    private sealed class S3Clients : IDisposable
    {
        private readonly ConcurrentDictionary<S3StoreSettings, AmazonS3Client> _clients = new();

        public S3ArchiveStore Store(ArchivalUri uri, ArchivalKindSettings settings) =>
            new(_clients.GetOrAdd(settings.S3Store ?? new S3StoreSettings(), Create), uri.Location, uri.Prefix);

        private static AmazonS3Client Create(S3StoreSettings settings)
        {
            var config = new AmazonS3Config
            {
                ForcePathStyle = settings.ForcePathStyle,
                // Checksums only where S3 requires them: S3-compatible stores (MinIO, older releases) do not all take
                // the SDK's default trailing checksums.
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            };
            if (settings.Region is { Length: > 0 } region)
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }
            if (settings.Endpoint is { Length: > 0 } endpoint)
            {
                config.ServiceURL = endpoint;
                if (settings.Region is { Length: > 0 })
                {
                    config.AuthenticationRegion = settings.Region;
                }
            }
            return new AmazonS3Client(config);
        }

        public void Dispose()
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }
        }
    }
}
