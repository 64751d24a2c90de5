using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Frontend;
using Tempora.History;
using Tempora.History.Queues;
using Tempora.History.Visibility;
using Tempora.Matching;
using Tempora.Persistence;
using Tempora.Persistence.Postgres;
using Tempora.Persistence.Sqlite;

namespace Tempora.Server;

/// <summary>A running Tempora process: every role in one host.</summary>
public sealed partial class TemporaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IPersistence _persistence;
    private int _disposed;

    private TemporaServer(WebApplication app, IPersistence persistence, int port, string ip)
    {
        _app = app;
        _persistence = persistence;
        GrpcPort = port;
        GrpcAddress = $"{ip}:{port}";
    }

    /// <summary>The bound gRPC address, host:port (port resolved when 0 was asked for).</summary>
    public string GrpcAddress { get; }

    /// <summary>True when the server stopped because another process took its shards over.</summary>
    public bool ShardsLost => ShardsLostCheck();

    private Func<bool> ShardsLostCheck { get; init; } = () => false;

    /// <summary>The bound gRPC port.</summary>
    public int GrpcPort { get; }

    /// <summary>Builds and starts the host; returns once the gRPC port is listening.</summary>
    public static async Task<TemporaServer> StartAsync(TemporaOptions options, Action<ILoggingBuilder>? configureLogging = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // Kestrel's and ASP.NET's per-request logs drown ours; keep them for warnings.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            configureLogging(builder.Logging);
        }
        var address = options.Ip == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Ip);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // SDKs speak h2c with prior knowledge on a plaintext port (temporal-compat.md §1.1).
            kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            // One SDK client multiplexes every call on one connection, and each waiting GetResult, poll and query
            // holds a stream for up to a minute. Kestrel's default of 100 streams would queue completions behind
            // them until tasks time out; grpc-go (upstream Temporal) sets no limit either.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 100_000;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

        using var bootLoggerFactory = LoggerFactory.Create(l =>
        {
            l.SetMinimumLevel(options.LogLevel);
            if (configureLogging is null)
            {
                l.AddSimpleConsole(o => o.SingleLine = true);
            }
            else
            {
                configureLogging(l);
            }
        });
        IPersistence persistence = options.Store switch
        {
            StoreKind.Postgres => await PostgresPersistence.OpenAsync(options.Postgres, options.MigrateSchema, ct),
            _ => await SqlitePersistence.OpenAsync(options.InMemory ? null : options.DbFilename, options.MigrateSchema,
                bootLoggerFactory.CreateLogger<SqliteDatabase>(), ct),
        };
        try
        {
            return await StartAsync(options, builder, persistence, ct);
        }
        catch
        {
            await persistence.DisposeAsync();
            throw;
        }
    }

    private static async Task<TemporaServer> StartAsync(TemporaOptions options, WebApplicationBuilder builder, IPersistence persistence, CancellationToken ct)
    {
        // Roles, wired from the bottom up: persistence, matching, history, frontend.
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(persistence.Executions);
        services.AddSingleton(persistence.Namespaces);
        services.AddSingleton(persistence.Visibility);
        services.AddSingleton<MatchingEngine>();
        services.AddSingleton<ITaskDispatcher>(sp => sp.GetRequiredService<MatchingEngine>());
        services.AddSingleton<NamespaceRegistry>();
        services.AddSingleton<TaskIdAllocator>();
        services.AddSingleton<TimerQueue>();
        services.AddSingleton<HistoryEngine>();
        services.AddSingleton<RetentionJob>();
        services.AddFrontend();

        var app = builder.Build();
        app.MapFrontend();

        var logger = app.Services.GetRequiredService<ILogger<TemporaServer>>();
        var shardsLost = false;
        if (persistence is PostgresPersistence postgres)
        {
            // Nothing is served before the leases are ours: a second process waits here as a standby.
            var leases = await postgres.AcquireShardsAsync(options.NumHistoryShards,
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<ShardLeases>(), ct);
            leases.Lost.Register(() =>
            {
                shardsLost = true;
                _ = app.StopAsync(); // another process owns the shards now; serving stale caches would be wrong
            });
        }
        var namespaces = app.Services.GetRequiredService<NamespaceRegistry>();
        foreach (var name in options.Namespaces.Prepend("default").Distinct(StringComparer.Ordinal))
        {
            await namespaces.EnsureAsync(name, ct);
            if (options.SearchAttributes.Count > 0)
            {
                var ns = await namespaces.GetByNameAsync(name, ct);
                var custom = new Dictionary<string, Tempora.Visibility.Query.SearchAttributeType>(ns.CustomSearchAttributes, StringComparer.Ordinal);
                foreach (var (attribute, type) in options.SearchAttributes)
                {
                    custom[attribute] = type;
                }
                await namespaces.UpdateAsync(ns with { CustomSearchAttributes = custom }, ct);
            }
        }
        await app.Services.GetRequiredService<HistoryEngine>().StartAsync(ct);
        var retention = app.Services.GetRequiredService<RetentionJob>();
        retention.Interval = options.RetentionScanInterval;
        retention.Start();
        await app.StartAsync(ct);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        var server = new TemporaServer(app, persistence, port, options.Ip) { ShardsLostCheck = () => shardsLost };
        LogListening(logger, server.GrpcAddress, persistence.Description);
        if (!options.Headless)
        {
            LogReserved(logger, "web UI", options.UiPort);
        }
        LogReserved(logger, "metrics", options.MetricsPort);
        return server;
    }

    /// <summary>Stops gracefully: no new requests, in-flight ones finish or are cancelled, then the database closes.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await _app.StopAsync(ct);
    }

    /// <summary>Completes when the host has shut down.</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _app.StopAsync();
        await _app.DisposeAsync(); // disposes the timer queue before the database below closes

        await _persistence.DisposeAsync();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Tempora frontend (gRPC) listening on {Address}; database {Database}")]
    private static partial void LogListening(ILogger logger, string address, string database);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Port {Port} is reserved for the {Role}, which is not built yet; it is not bound")]
    private static partial void LogReserved(ILogger logger, string role, int port);
}
