using System.Diagnostics;
using Temporalio.Client;

namespace Tempora.Bench;

/// <summary>Connecting the SDK client, retrying while the server is still starting (bounded).</summary>
internal static class Connection
{
    public static TemporalClientConnectOptions Options(string address, string ns, bool gzip) => new(address)
    {
        Namespace = ns,
        // The SDK gzips requests by default; --grpc-compression none measures the server without that cost.
        GrpcCompression = gzip ? new GrpcCompression.Gzip() : new GrpcCompression.None(),
    };

    public static async Task<TemporalClient> ConnectAsync(BenchOptions o, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = TimeSpan.FromSeconds(o.ConnectTimeoutS);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TemporalClient.ConnectAsync(Options(o.Address, o.Namespace, o.Gzip));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    throw new TimeoutException($"No Temporal server answered at {o.Address} within {o.ConnectTimeoutS} s ({attempt} attempts): {e.Message}", e);
                }
            }
            await Task.Delay(100, ct);
        }
    }
}
