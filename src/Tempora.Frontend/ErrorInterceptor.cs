using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Tempora.Core.Errors;

namespace Tempora.Frontend;

/// <summary>Maps the engine's domain exceptions to gRPC statuses at the edge; anything unexpected is Internal.</summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger, ServingGate gate) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!gate.IsOpen && !context.Method.StartsWith("/grpc.health.", StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                "this Tempora process is not serving yet: it is starting (joining the cluster, loading its shards)"));
        }
        try
        {
            return await continuation(request, context);
        }
        catch (TemporaException e)
        {
            LogRejected(logger, context.Method, e.GetType().Name, e.Message);
            throw Errors.From(e);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(
                context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled, "request cancelled or deadline exceeded"));
        }
        catch (RpcException e)
        {
            throw Errors.Bounded(e);
        }
        catch (Exception e) when (IsTransient(e))
        {
            // The database is restarting or unreachable, or another replica took the shard: nothing was
            // committed (or, on a lost commit acknowledgement, the retry finds the work done). The SDKs retry
            // Unavailable with backoff, which is what carries a client through a database restart.
            LogUnavailable(logger, context.Method, e.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, Errors.Bounded($"persistence unavailable: {e.Message}")));
        }
        catch (Exception e)
        {
            LogFailed(logger, e, context.Method);
            throw new RpcException(new Status(StatusCode.Internal, Errors.Bounded($"internal error: {e.Message}")));
        }
    }

    /// <summary>Failures a retry can get past: connection-level database errors and a lost shard lease.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        System.Data.Common.DbException db => db.IsTransient || db.GetType().Name == "NpgsqlException",
        Persistence.ShardOwnershipLostException or Core.ShardUnavailableException or TimeoutException or System.Net.Sockets.SocketException or IOException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "{Method} unavailable: {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string method, string detail);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "{Method} rejected: {ErrorType} {Detail}")]
    private static partial void LogRejected(ILogger logger, string method, string errorType, string detail);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "{Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string method);
}
