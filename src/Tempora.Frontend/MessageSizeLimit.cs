using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tempora.Core.Metrics;
using Tempora.Cluster.Internal;

namespace Tempora.Frontend;

/// <summary>
/// Refuses a gRPC request whose message is over the receive limit as soon as its 5-byte frame header has arrived,
/// before any of the message is buffered, and in grpc-go's words: Temporal's frontend is a grpc-go server with its
/// default 4 MiB limit, and SDKs match that text (Core then fails the workflow task with GRPC_MESSAGE_TOO_LARGE instead
/// of retrying the same completion forever; temporal-compat.md §1.1, §7). Grpc.AspNetCore refuses as early, but its
/// message ("Received message exceeds the maximum configured message size.") is one no SDK recognises, and it is
/// produced before any interceptor runs, so the words can only be chosen here, ahead of the gRPC endpoint.
/// </summary>
public sealed partial class MessageSizeLimit(RequestDelegate next, MessageSizeLimits limits, IMetrics metrics, ILogger<MessageSizeLimit> logger)
{
    /// <summary>Compressed flag (1 byte) and big-endian message length (4 bytes) before every gRPC message.</summary>
    private const int FrameHeaderSize = 5;

    private static readonly PathString ClusterService = new($"/{ClusterMethods.ServiceName}");

    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsGrpc(context.Request))
        {
            await next(context);
            return;
        }
        var limit = context.Request.Path.StartsWithSegments(ClusterService, StringComparison.Ordinal) ? limits.Cluster : limits.Public;
        // Every method served here is unary or server-streaming: the body is one framed message, so nothing beyond it
        // needs to be read. Kestrel then stops a body longer than that instead of buffering it.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = (long)limit + FrameHeaderSize;
        }
        var length = await PeekMessageLengthAsync(context.Request.BodyReader, context.RequestAborted);
        if (length > limit)
        {
            Refuse(context.Response, $"grpc: received message larger than max ({length} vs. {limit})");
            Count(context.Request.Path);
            LogRefused(logger, context.Request.Path, length, limit);
            return;
        }
        await next(context);
    }

    /// <summary>
    /// Counted as the metrics interceptor counts a ResourceExhausted answer (which never sees this one: it is refused
    /// before the gRPC endpoint), so that oversize requests show in service_errors_resource_exhausted. The namespace is
    /// in the unread body, so it is unknown.
    /// </summary>
    private void Count(PathString path)
    {
        var method = path.Value ?? "";
        var operation = method[(method.LastIndexOf('/') + 1)..];
        var ns = MetricDefinition.UnknownNamespace;
        metrics.Increment(MetricNames.ServiceRequests, ns, operation);
        metrics.Increment(MetricNames.ServiceErrorWithType, ns, operation, "serviceerror_ResourceExhausted");
        metrics.Increment(MetricNames.ServiceErrorsResourceExhausted, ns, operation);
    }

    // Debug, not warning: a client can send these as often as it likes, and the metric above is what an operator watches.
    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "{Method} refused: message of {Length} bytes over the {Limit}-byte receive limit")]
    private static partial void LogRefused(ILogger logger, PathString method, long length, int limit);

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>The length the first frame header announces (or -1 when the body ends before one), leaving the body unread.</summary>
    private static async Task<long> PeekMessageLengthAsync(System.IO.Pipelines.PipeReader reader, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.Length >= FrameHeaderSize)
            {
                Span<byte> header = stackalloc byte[FrameHeaderSize];
                buffer.Slice(0, FrameHeaderSize).CopyTo(header);
                // Consume and examine nothing: the gRPC endpoint reads the same bytes again.
                reader.AdvanceTo(buffer.Start);
                return BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                return -1;
            }
            // Too few bytes yet: wait for more rather than being handed the same ones again.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>A trailers-only gRPC response (status in the headers, no body), as grpc-go sends for this refusal.</summary>
    private static void Refuse(HttpResponse response, string message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.ResourceExhausted).ToString(CultureInfo.InvariantCulture);
        // Printable ASCII only, so no percent-encoding is needed.
        response.Headers["grpc-message"] = message;
    }
}

/// <summary>The receive limits <see cref="MessageSizeLimit"/> enforces, in bytes of one message.</summary>
/// <param name="Public">Temporal's WorkflowService, OperatorService and health: 4 MiB by default, as grpc-go's.</param>
/// <param name="Cluster">
/// Tempora's own service between replicas, whose requests carry a run's payloads base64-encoded in JSON and so can
/// exceed what a client may send (Temporal's services speak to each other with a larger limit too).
/// </param>
public sealed record MessageSizeLimits(int Public, int Cluster)
{
    /// <summary>grpc-go's default receive limit, which Temporal's frontend keeps.</summary>
    public const int DefaultPublic = 4 * 1024 * 1024;
}
