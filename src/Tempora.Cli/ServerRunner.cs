using Microsoft.Extensions.Logging;
using Tempora.Persistence;
using Tempora.Server;

namespace Tempora.Cli;

/// <summary>Runs a server until SIGINT/SIGTERM, then stops it gracefully; shared by start and start-dev.</summary>
internal static class ServerRunner
{
    public static async Task<int> RunAsync(TemporaOptions options, Action<TemporaServer> printBanner, CancellationToken ct)
    {
        void ConfigureLogging(ILoggingBuilder builder) => ConsoleLogging.Configure(builder, options.LogLevel, options.LogFormat);

        // Disposing the factory flushes the console logger's queue before the process exits.
        using var loggerFactory = LoggerFactory.Create(ConfigureLogging);
        var logger = loggerFactory.CreateLogger("Tempora.Cli");

        // Registered before the start so that Ctrl+C during a slow start (migrations) is graceful too.
        using var shutdown = new ShutdownSignal();
        using var stopRequested = CancellationTokenSource.CreateLinkedTokenSource(ct, shutdown.Token);

        TemporaServer server;
        try
        {
            server = await TemporaServer.StartAsync(options, ConfigureLogging, stopRequested.Token);
        }
        catch (OperationCanceledException) when (stopRequested.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is SchemaVersionMismatchException or DatabaseUnusableException or Tempora.Core.Tls.CertificateLoadException)
        {
            // Not a crash: the message says what is wrong with the database or certificate and what to do about it.
            Log.CannotStart(logger, ex.Message);
            return 1;
        }
        catch (Exception ex)
        {
            Log.StartFailed(logger, ex);
            return 1;
        }

        await using (server)
        {
            printBanner(server);
            try
            {
                // The token is not passed to WaitForShutdownAsync: the stop below must be ours, explicit and
                // awaited, whatever a cancelled wait would do inside the host.
                var stopped = server.WaitForShutdownAsync(CancellationToken.None);
                var signalled = Task.Delay(Timeout.Infinite, stopRequested.Token);
                if (await Task.WhenAny(stopped, signalled) == signalled)
                {
                    Log.Stopping(logger, shutdown.Signal ?? "Cancellation");
                    await server.StopAsync(CancellationToken.None);
                }

                await stopped;
            }
            catch (Exception ex)
            {
                Log.StoppedWithError(logger, ex);
                return 1;
            }
        }

        Log.Stopped(logger);
        return 0;
    }
}
