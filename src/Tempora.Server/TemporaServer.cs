using Microsoft.Extensions.Logging;

namespace Tempora.Server;

/// <summary>A running Tempora process: every role in one host.</summary>
public sealed class TemporaServer : IAsyncDisposable
{
    private TemporaServer() { }

    /// <summary>The bound gRPC address, host:port (port resolved when 0 was asked for).</summary>
    public string GrpcAddress => throw new NotImplementedException();

    /// <summary>The bound gRPC port.</summary>
    public int GrpcPort => throw new NotImplementedException();

    /// <summary>Builds and starts the host; returns once the gRPC port is listening.</summary>
    public static Task<TemporaServer> StartAsync(TemporaOptions options, Action<ILoggingBuilder>? configureLogging = null, CancellationToken ct = default)
        => throw new NotImplementedException();

    /// <summary>Stops gracefully.</summary>
    public Task StopAsync(CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>Completes when the host has shut down.</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
