using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Tempora.Core.Errors;

namespace Tempora.Frontend;

/// <summary>Maps the engine's domain exceptions to gRPC statuses at the edge; anything unexpected is Internal.</summary>
internal sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger, ServingGate gate) : Interceptor
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
        catch (Exception e) when (IsCorruptData(e))
        {
            // Stored data that cannot be read back: retrying cannot help (Unavailable would make the SDKs retry for
            // ever), and it must not pass for a bug in the request either. Temporal answers DataLoss for this.
            LogCorrupt(logger, e, context.Method);
            throw new RpcException(new Status(StatusCode.DataLoss, $"stored data is corrupt: {e.Message}"));
        }
        catch (System.Data.Common.DbException e) when (e.SqlState is ['2', '2', ..])
        {
            // SQLSTATE class 22, a data exception: the database refused a value of the request (the frontend refuses the
            // strings it knows a store cannot hold; this keeps any other such value from answering Internal).
            LogDataRefused(logger, context.Method, e.Message);
            throw Errors.From(new InvalidArgumentException($"the database refused a value of this request: {e.Message}"));
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

    /// <summary>Stored bytes that no longer parse (a damaged row), or the database reporting damaged pages: SQLite's
    /// SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), PostgreSQL's data_corrupted and index_corrupted (XX001, XX002).</summary>
    public static bool IsCorruptData(Exception e) => e switch
    {
        Persistence.CorruptDataException or Google.Protobuf.InvalidProtocolBufferException => true,
        System.Data.Common.DbException { SqlState: "XX001" or "XX002" } => true,
        System.Data.Common.DbException db when db.GetType().Name == "SqliteException" => db.ErrorCode is 11 or 26,
        _ => e.InnerException is { } inner && IsCorruptData(inner),
    };

    /// <summary>Failures a retry can get past: connection-level database errors and a lost shard lease.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        System.Data.Common.DbException db => db.IsTransient || db.GetType().Name == "NpgsqlException",
        Persistence.ShardOwnershipLostException or Core.ShardUnavailableException or TimeoutException or System.Net.Sockets.SocketException or IOException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "{Method} unavailable: {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string method, string detail);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{Method} refused by the database: {Detail}")]
    private static partial void LogDataRefused(ILogger logger, string method, string detail);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "{Method} rejected: {ErrorType} {Detail}")]
    private static partial void LogRejected(ILogger logger, string method, string errorType, string detail);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "{Method} failed on corrupt stored data")]
    private static partial void LogCorrupt(ILogger logger, Exception e, string method);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "{Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string method);
}
