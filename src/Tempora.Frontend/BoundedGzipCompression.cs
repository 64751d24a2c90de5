using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Tempora.Frontend;

/// <summary>
/// gzip for gRPC messages whose decompressed size is bounded. SDK Core compresses its requests with gzip, so a
/// completion of many megabytes arrives as a small frame that passes <see cref="MessageSizeLimit"/>; decompression
/// stops at the limit with grpc-go's words for that case, which Core also recognises as a message too large (and a
/// small frame can no longer inflate into gigabytes).
/// </summary>
internal sealed class BoundedGzipCompression(int maxDecompressedSize) : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) =>
        new BoundedReadStream(new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true), maxDecompressedSize);

    /// <summary>Reads through to <paramref name="inner"/> until more than <paramref name="limit"/> bytes would have come out.</summary>
    private sealed class BoundedReadStream(Stream inner, int limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"grpc: received message after decompression larger than max {limit}"));
            }
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
