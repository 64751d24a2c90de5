using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tempora.Cluster;
using Tempora.Cluster.Membership;
using Tempora.Cluster.Peers;
using Tempora.Core;
using Tempora.Core.Metrics;
using Tempora.Frontend;
using Tempora.Frontend.Http;
using Tempora.History;
using Tempora.History.Queues;
using Tempora.History.Visibility;
using Tempora.Matching;
using Tempora.Matching.Polling;
using Tempora.Persistence;
using Tempora.Persistence.Metrics;
using Tempora.Persistence.Postgres;
using Tempora.Persistence.Sqlite;
using Tempora.Server.Memory;
using Tempora.Server.Observability;
using Tempora.Visibility;
using Tempora.Visibility.Retention;
using Tempora.Web;
using Tempora.Worker.Batch;
using Tempora.Worker.Namespaces;
using Tempora.Worker.Schedules;
using Tempora.Worker.SystemWork;
using Tempora.Core.Loopback;
using Tempora.Persistence.Batches;
using Tempora.Persistence.Nexus;
using Tempora.Persistence.Schedules;

namespace Tempora.Server;

/// <summary>A running Tempora process: every role in one host.</summary>
public sealed partial class TemporaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IPersistence _persistence;
    private readonly PrometheusMetrics? _metrics;
    private readonly LoopbackSocket _loopback;
    private int _disposed;

    private TemporaServer(WebApplication app, IPersistence persistence, PrometheusMetrics? metrics, LoopbackSocket loopback, int port, int metricsPort,
        int? uiPort, string ip)
    {
        _app = app;
        _persistence = persistence;
        _metrics = metrics;
        _loopback = loopback;
        LoopbackSocketPath = loopback.Path;
        GrpcPort = port;
        GrpcAddress = $"{ip}:{port}";
        MetricsPort = metricsPort;
        MetricsAddress = $"{ip}:{metricsPort}";
        UiPort = uiPort;
        UiAddress = uiPort is null ? null : $"{ip}:{uiPort}";
    }

    /// <summary>The bound port of the web UI (resolved when 0 was asked for); null when headless.</summary>
    public int? UiPort { get; }

    /// <summary>The bound web UI address, host:port; null when headless.</summary>
    public string? UiAddress { get; }

    /// <summary>The bound port of the HTTP API (resolved when 0 was asked for); null when it is off.</summary>
    public int? HttpPort { get; private init; }

    /// <summary>The bound HTTP API address, host:port; null when it is off.</summary>
    public string? HttpAddress => HttpPort is { } port ? $"{GrpcAddress[..GrpcAddress.LastIndexOf(':')]}:{port}" : null;

    /// <summary>The bound port of the HTTP listener for /metrics and /health/* (resolved when 0 was asked for).</summary>
    public int MetricsPort { get; }

    /// <summary>The bound metrics/health address, host:port.</summary>
    public string MetricsAddress { get; }

    /// <summary>The bound gRPC address, host:port (port resolved when 0 was asked for).</summary>
    public string GrpcAddress { get; }

    /// <summary>The shards this process owns now (all of them on SQLite; its share on a PostgreSQL cluster).</summary>
    public IReadOnlyCollection<int> OwnedShards => OwnedShardsNow();

    private Func<IReadOnlyCollection<int>> OwnedShardsNow { get; init; } = () => [];

    /// <summary>What the rebuild check found wrong so far (<see cref="TemporaOptions.VerifyRebuild"/>); empty when all was well.</summary>
    public IReadOnlyCollection<string> RebuildMismatches => _app.Services.GetRequiredService<HistoryEngine>().RebuildMismatches;

    /// <summary>The bound gRPC port.</summary>
    public int GrpcPort { get; }

    /// <summary>The Unix domain socket in-process clients reach the frontend through (plaintext, private directory).</summary>
    public string LoopbackSocketPath { get; }

    /// <summary>Builds and starts the host; returns once the gRPC port is listening.</summary>
    public static async Task<TemporaServer> StartAsync(TemporaOptions options, Action<ILoggingBuilder>? configureLogging = null, CancellationToken ct = default)
    {
        // No reload of appsettings.json on change: Tempora is configured by its flags and YAML file, and the reload
        // watches the working directory and everything under it (inotify), where start-dev keeps its database, so
        // every commit woke a watcher thread (about 4 % of the server's CPU under load) and a start in a large
        // directory walked all of it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // Kestrel's and ASP.NET's per-request logs drown ours; keep them for warnings.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        // It warns that the internal cluster service has no HTTP binding, which is intended.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Grpc.JsonTranscoding.Internal.Binding", LogLevel.Error);
        if (configureLogging is null)
        {
            AddConsole(builder.Logging, options.LogFormat);
        }
        else
        {
            configureLogging(builder.Logging);
        }
        var address = options.Ip == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Ip);
        var listeners = new Listeners();
        builder.Services.AddSingleton(sp => new ServerTls(options.Tls, sp.GetRequiredService<ILoggerFactory>()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel is configured when the host starts, so the reloaders (and a bad certificate's error) come first.
            var tls = kestrel.ApplicationServices.GetRequiredService<ServerTls>();
            // SDKs speak h2c with prior knowledge on a plaintext port (temporal-compat.md §1.1), HTTP/2 by ALPN with TLS.
            kestrel.Listen(address, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                UseTls(listen, tls.Grpc);
                listeners.Grpc = listen;
            });
            // The web UI and the worker role: plaintext h2c on a private Unix socket, whatever the TCP port requires.
            kestrel.ListenUnixSocket(listeners.Loopback.Path, listen => listen.Protocols = HttpProtocols.Http2);
            // Prometheus and the kubelet speak HTTP/1.1; ObservabilityEndpoints relies on that to serve them here only.
            kestrel.Listen(address, options.MetricsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                UseTls(listen, tls.Metrics);
                listeners.Metrics = listen;
            });
            if (options.HttpPort is { } httpPort)
            {
                // curl and browsers speak HTTP/1.1, HTTP/2 by ALPN with TLS; the frontend's TLS (certificate and
                // client-certificate rule) as Temporal's HTTP API server uses (http_api_server.go).
                kestrel.Listen(address, httpPort, listen =>
                {
                    // HTTP/2 needs ALPN, so only with TLS (plaintext HTTP/1.1 and h2c cannot share a port).
                    listen.Protocols = options.Tls.Frontend is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                    UseTls(listen, tls.Grpc);
                    listeners.Http = listen;
                });
            }
            if (!options.Headless)
            {
                // Browsers speak HTTP/1.1; the web UI's routes answer on this listener only (WebUiEndpoints).
                kestrel.Listen(address, options.UiPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    UseTls(listen, tls.Ui);
                    listeners.Ui = listen;
                });
            }
            // Kestrel's default body limit (30 MB) holds for the UI and metrics listeners; a gRPC request's body is
            // bounded to its one message by the frontend's MessageSizeLimit.
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
                AddConsole(l, options.LogFormat);
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
            return await StartAsync(options, builder, persistence, listeners, ct);
        }
        catch
        {
            listeners.Loopback.Dispose();
            await persistence.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The archival a namespace created at start gets: <c>namespaceDefaults:archival</c>, as a namespace registered
    /// without archival settings (a kind the cluster has disabled stays disabled).
    /// </summary>
    private static Temporalio.Api.Namespace.V1.NamespaceConfig NamespaceDefaults(Tempora.Archival.ArchivalSettings archival)
    {
        var config = new Temporalio.Api.Namespace.V1.NamespaceConfig();
        if (archival.History is { Enabled: true, NamespaceDefaultEnabled: true, NamespaceDefaultUri: { } historyUri })
        {
            config.HistoryArchivalState = Temporalio.Api.Enums.V1.ArchivalState.Enabled;
            config.HistoryArchivalUri = historyUri;
        }
        if (archival.Visibility is { Enabled: true, NamespaceDefaultEnabled: true, NamespaceDefaultUri: { } visibilityUri })
        {
            config.VisibilityArchivalState = Temporalio.Api.Enums.V1.ArchivalState.Enabled;
            config.VisibilityArchivalUri = visibilityUri;
        }
        return config;
    }

    private static async Task<TemporaServer> StartAsync(TemporaOptions options, WebApplicationBuilder builder, IPersistence persistence,
        Listeners listeners, CancellationToken ct)
    {
        // Observability first: every role below reports to it. Metrics off means NullMetrics, not a missing service.
        var prometheus = options.Metrics ? new PrometheusMetrics(options.MetricLabelMaxValues, options.MetricLabelMaxLength) : null;
        try
        {
            return await StartAsync(options, builder, persistence, listeners, prometheus, ct);
        }
        catch
        {
            prometheus?.Dispose();
            throw;
        }
    }

    private static async Task<TemporaServer> StartAsync(TemporaOptions options, WebApplicationBuilder builder, IPersistence persistence,
        Listeners listeners, PrometheusMetrics? prometheus, CancellationToken ct)
    {
        IMetrics metrics = prometheus is null ? NullMetrics.Instance : prometheus;
        var readiness = new Readiness(persistence); // the probe's own reads stay out of persistence_requests

        // Roles, wired from the bottom up: persistence, matching, history, frontend.
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(metrics);
        services.AddSingleton(readiness);
        services.AddSingleton<IExecutionStore>(new MeteredExecutionStore(persistence.Executions, metrics));
        services.AddSingleton<INamespaceStore>(new MeteredNamespaceStore(persistence.Namespaces, metrics));
        services.AddSingleton<IVisibilityStore>(new MeteredVisibilityStore(persistence.Visibility, metrics));
        services.AddSingleton<VisibilityService>();
        services.AddSingleton(new MatchingOptions { TaskQueueIdleTime = options.TaskQueueIdleTime });
        services.AddSingleton<MatchingEngine>();
        services.AddSingleton<ITaskDispatcher>(sp => sp.GetRequiredService<MatchingEngine>());
        // Nexus tasks: history dispatches through INexusTaskDispatcher, the frontend answers polls and responses.
        services.AddSingleton<Tempora.Matching.Nexus.NexusTaskDispatcher>();
        services.AddSingleton<Tempora.Core.Nexus.INexusTaskDispatcher>(sp => sp.GetRequiredService<Tempora.Matching.Nexus.NexusTaskDispatcher>());
        services.AddSingleton<Tempora.Matching.Nexus.NexusTaskPoller>();
        services.AddSingleton(options.NamespaceRetention);
        services.AddSingleton<NamespaceRegistry>();
        services.AddSingleton<TaskIdAllocator>();
        services.AddSingleton<TimerQueue>();
        services.AddSingleton<TransferQueue>();
        // How replicas reach and recognise each other (TLS settings; plaintext and no internode CAs by default).
        services.AddSingleton(sp => sp.GetRequiredService<ServerTls>().Peers);
        services.AddSingleton(sp => sp.GetRequiredService<ServerTls>().InternodeTrust);
        // A process alone on its store (SQLite) owns every shard; on PostgreSQL the live replicas split them by leases
        // and prove themselves to each other with the cluster secret (configured, else kept in the database) or their
        // internode certificate.
        var clusterSecret = await ClusterSecret.ResolveAsync(options.ClusterSecret, persistence.ShardLeases, ct);
        services.AddCluster(sp => persistence.ShardLeases is { } leaseStore
            ? new ShardLeases(leaseStore, options.NumHistoryShards, sp.GetRequiredService<ILogger<ShardLeases>>(), metrics)
            : new SingleProcessShards(options.NumHistoryShards, metrics), clusterSecret);
        services.AddSingleton(options.Store == StoreKind.Postgres ? StoreNames.Postgres : StoreNames.Sqlite);
        services.AddSingleton(new HostAddress(() => BroadcastAddress(options, listeners.Grpc!.IPEndPoint!.Port)));
        services.AddSingleton(new HistoryOptions
        {
            VerifyRebuild = options.VerifyRebuild,
            RunCacheMaxBytes = options.RunCacheMaxBytes,
            TimerPaging = options.TimerPaging,
            Limits = PayloadLimitsOf(options),
            EnableEagerWorkflowStart = options.EnableEagerWorkflowStart,
        });
        services.AddSingleton<HistoryEngine>();
        services.AddSingleton(options.Archival);
        services.AddSingleton<Tempora.Archival.ArchiveStores>();
        services.AddSingleton<Tempora.Archival.HistoryArchiver>();
        services.AddSingleton<Tempora.Archival.VisibilityArchiver>();
        services.AddSingleton<Tempora.History.Archival.RunArchiver>();
        services.AddSingleton<IRunDeleter, HistoryRunDeleter>();
        services.AddSingleton<INamespaceRetentions, RegistryNamespaceRetentions>();
        services.AddSingleton<ITaskStarter, HistoryTaskStarter>();
        services.AddSingleton<TaskPoller>();
        services.AddSingleton<RetentionJob>();
        // The worker role and the web UI reach the frontend over gRPC, as Temporal's worker and UI servers do.
        // The worker role's calls are the system's own: they prove it with this process's InternalCaller value, which
        // the frontend's authorization takes for a system admin. The web UI has a client of its own (WebUiExtensions).
        var internalCaller = new InternalCaller();
        services.AddSingleton(internalCaller);
        services.AddSingleton(_ => new FrontendClient(listeners.Loopback.Path,
            new Grpc.Core.Metadata { { InternalCaller.Header, internalCaller.Value } }));
        services.AddSingleton<Tempora.History.Nexus.ISystemNexusOperations, SystemNexusOperations>();
        services.AddSingleton<IScheduleStore>(new MeteredScheduleStore(persistence.Schedules, metrics));
        services.AddSingleton<ScheduleRunner>();
        services.AddSingleton<ScheduleService>();
        services.AddSingleton<IBatchStore>(new MeteredBatchStore(persistence.Batches, metrics));
        services.AddSingleton<INexusEndpointStore>(new MeteredNexusEndpointStore(persistence.NexusEndpoints, metrics));
        services.AddSingleton(persistence.WorkerDeployments);
        services.AddSingleton(options.WorkerDeployments);
        // Matching routes by this process's copy of the deployments' routing; the cluster's propagation reloads it here
        // and at every replica after a change (ClusterExtensions).
        services.AddSingleton(sp => new Tempora.Matching.Versioning.DeploymentRoutingCache(persistence.WorkerDeployments,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Tempora.Matching.Versioning.DeploymentRoutingCache>>(),
            sharedStore: persistence.ShardLeases is not null));
        services.AddSingleton<Tempora.Core.Versioning.IDeploymentRouting>(sp => sp.GetRequiredService<Tempora.Matching.Versioning.DeploymentRoutingCache>());
        services.AddSingleton<Tempora.Matching.Deployments.VersionDrainage>();
        services.AddSingleton<Tempora.Matching.Deployments.WorkerDeploymentService>();
        services.AddSingleton<Tempora.Matching.Deployments.DeploymentRegistrar>();
        services.AddSingleton(new BatchLimits());
        services.AddSingleton<BatchRunner>();
        services.AddSingleton<BatchService>();
        services.AddSingleton<NamespaceDeleter>();
        services.AddHostedService(sp => new IdleGcSettler(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new HttpApiSettings(() => listeners.Http?.IPEndPoint?.Port));
        services.AddFrontend(MessageSizeLimitsOf(options), options.Authorization);
        if (!options.Headless)
        {
            // The UI calls the frontend over gRPC, as Temporal's UI server does (docs/web-ui.md).
            services.AddWebUi(new WebUiSettings(
                UiPort: () => listeners.Ui!.IPEndPoint!.Port,
                FrontendSocket: listeners.Loopback.Path)
            {
                AllowedHosts = options.UiAllowedHosts,
                Auth = options.UiAuth,
            });
        }

        var app = builder.Build();
        app.UseFrontend();
        app.MapFrontend();
        app.MapCluster();
        app.MapObservability(prometheus, readiness);
        if (!options.Headless)
        {
            app.MapWebUi();
        }

        var logger = app.Services.GetRequiredService<ILogger<TemporaServer>>();
        var membership = app.Services.GetRequiredService<IClusterMembership>();
        var retention = app.Services.GetRequiredService<RetentionJob>();
        // Listen first: a starting process answers its probes (live, not ready); the gate keeps the API closed until
        // it has joined the cluster and loaded its shards' durable timers and tasks.
        await app.StartAsync(ct);
        try
        {
            var namespaces = app.Services.GetRequiredService<NamespaceRegistry>();
            foreach (var name in options.Namespaces.Prepend("default").Distinct(StringComparer.Ordinal))
            {
                await namespaces.EnsureAsync(name, ct, NamespaceDefaults(options.Archival));
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
            // Route by the worker deployments as stored before any task is offered, those restored with shards included;
            // from then on a change moves the unpinned tasks waiting for the old target.
            var routing = app.Services.GetRequiredService<Tempora.Matching.Versioning.DeploymentRoutingCache>();
            routing.RoutingChanged += app.Services.GetRequiredService<MatchingEngine>().Retarget;
            await routing.ReloadAsync(ct);
            var history = app.Services.GetRequiredService<HistoryEngine>();
            await history.StartAsync(ct);
            if (persistence.VisibilityOutbox is { } outbox)
            {
                // Logged under the outbox's own type, as a logger the store made for itself would be.
                outbox.Start(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(outbox.GetType()), metrics);
            }
            // Take this process's shards (all of them, or those that fall to it on a cluster) and load their timers and
            // tasks. Only a process with peers tells them its address (resolving it may ask DNS).
            var address = membership.OwnsEveryShard ? "" : BroadcastAddress(options, listeners.Grpc!.IPEndPoint!.Port);
            var worker = new WorkerRole(history, options.Worker
                ? [app.Services.GetRequiredService<ScheduleRunner>(), app.Services.GetRequiredService<BatchRunner>(),
                    app.Services.GetRequiredService<NamespaceDeleter>()]
                : []);
            await membership.JoinAsync(worker, address, ct);
            retention.Start(options.RetentionScanInterval);
        }
        catch
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            throw;
        }
        app.Services.GetRequiredService<ServingGate>().Open();
        readiness.MarkStarted(retention, persistence.VisibilityOutbox);

        // Kestrel writes the bound endpoint back into the listen options, which resolves port 0.
        var server = new TemporaServer(app, persistence, prometheus, listeners.Loopback, listeners.Grpc!.IPEndPoint!.Port, listeners.Metrics!.IPEndPoint!.Port,
            listeners.Ui?.IPEndPoint?.Port, options.Ip)
        {
            OwnedShardsNow = () => membership.OwnedShards,
            HttpPort = listeners.Http?.IPEndPoint?.Port,
        };
        LogListening(logger, server.GrpcAddress, persistence.Description);
        LogObservability(logger, server.MetricsAddress, options.Metrics ? "on /metrics" : "off");
        if (server.HttpAddress is not null)
        {
            LogHttpApi(logger, options.Tls.Frontend is null ? "http" : "https", server.HttpAddress);
        }
        if (server.UiAddress is not null)
        {
            LogWebUi(logger, options.Tls.Ui is null ? "http" : "https", server.UiAddress);
        }
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
        _metrics?.Dispose();
        _loopback.Dispose();
    }

    private static void UseTls(ListenOptions listen, ListenerTls? tls)
    {
        if (tls is not null)
        {
            listen.UseHttps(tls.CallbackOptions());
        }
    }

    private static void AddConsole(ILoggingBuilder logging, LogFormat format)
    {
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    }

    /// <summary>Where the other replicas reach this process's gRPC port (see <see cref="TemporaOptions.BroadcastAddress"/>).</summary>
    private static string BroadcastAddress(TemporaOptions options, int port)
    {
        var host = options.BroadcastAddress;
        if (string.IsNullOrEmpty(host))
        {
            var bound = options.Ip == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Ip);
            host = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any)
                ? (Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                    && !IPAddress.IsLoopback(a)) ?? IPAddress.Loopback).ToString()
                : bound.ToString();
        }
        return host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
    }

    private static PayloadLimits PayloadLimitsOf(TemporaOptions options) => new()
    {
        BlobSizeError = options.BlobSizeLimitError,
        MemoSizeError = options.MemoSizeLimitError,
        UserMetadataSummarySize = options.UserMetadataSummarySizeLimit,
        UserMetadataDetailsSize = options.UserMetadataDetailsSizeLimit,
        SearchAttributesNumberOfKeys = options.SearchAttributesNumberOfKeysLimit,
        SearchAttributesSizeOfValue = options.SearchAttributesSizeOfValueLimit,
        SearchAttributesTotalSize = options.SearchAttributesTotalSizeLimit,
    };

    /// <summary>
    /// A request between replicas carries a child's start or a signal with input, header and memo at their limits,
    /// base64-encoded in JSON: twice their sum plus 1 MiB for the rest is above anything legitimate and still bounded.
    /// </summary>
    private static MessageSizeLimits MessageSizeLimitsOf(TemporaOptions options) => new(
        options.GrpcMaxReceiveMessageSize,
        (int)Math.Min(int.MaxValue, Math.Max(options.GrpcMaxReceiveMessageSize,
            (2L * ((2L * options.BlobSizeLimitError) + options.MemoSizeLimitError)) + (1024 * 1024))));

    /// <summary>The Kestrel listen options, filled in when Kestrel is configured.</summary>
    private sealed class Listeners
    {
        public ListenOptions? Grpc { get; set; }

        public ListenOptions? Metrics { get; set; }

        public ListenOptions? Http { get; set; }

        public ListenOptions? Ui { get; set; }

        public LoopbackSocket Loopback { get; } = new();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Tempora frontend (gRPC) listening on {Address}; database {Database}")]
    private static partial void LogListening(ILogger logger, string address, string database);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Tempora health endpoints listening on {Address}; Prometheus metrics {MetricsState}")]
    private static partial void LogObservability(ILogger logger, string address, string metricsState);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Tempora web UI listening on {Scheme}://{Address}")]
    private static partial void LogWebUi(ILogger logger, string scheme, string address);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Tempora HTTP API listening on {Scheme}://{Address}")]
    private static partial void LogHttpApi(ILogger logger, string scheme, string address);
}
