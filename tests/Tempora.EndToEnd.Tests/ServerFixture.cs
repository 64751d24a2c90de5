using Microsoft.Extensions.Logging;
using Tempora.Server;
using Temporalio.Client;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>The "Server" collection: every test class in it shares one <see cref="ServerFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    /// <summary>Collection name used by <c>[Collection(ServerCollection.Name)]</c>.</summary>
    public const string Name = "Server";
}

/// <summary>
/// One Tempora server on a fresh store (SQLite file, or PostgreSQL databases with TEMPORA_TEST_STORE=postgres; random port) plus a connected client in the
/// <c>default</c> namespace, shared by every test of the "Server" collection.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    /// <summary>Namespace the fixture asks the server to create at start.</summary>
    public const string ExtraNamespace = "e2e-extra";

    private readonly IMessageSink _diagnostics;
    private TemporaServer? _server;
    private TemporalClient? _client;

    public ServerFixture(IMessageSink diagnostics) => _diagnostics = diagnostics;

    /// <summary>The running server.</summary>
    public TemporaServer Server => _server ?? throw new InvalidOperationException("Server not started");

    /// <summary>Client connected to <see cref="Server"/> in namespace <c>default</c>.</summary>
    public TemporalClient Client => _client ?? throw new InvalidOperationException("Client not connected");

    /// <summary>The SQLite file or PostgreSQL databases of this server; removed on dispose.</summary>
    private readonly TestDatabase _database = new("fixture");

    /// <summary>The store the fixture's servers share, for tests that look at the rows themselves.</summary>
    internal TestDatabase Database => _database;

    /// <summary>Custom search attributes the fixture's namespaces have (like `start-dev --search-attribute`).</summary>
    public static readonly IReadOnlyDictionary<string, Tempora.Visibility.Query.SearchAttributeType> TestSearchAttributes =
        new Dictionary<string, Tempora.Visibility.Query.SearchAttributeType>
        {
            ["CustomerId"] = Tempora.Visibility.Query.SearchAttributeType.Keyword,
            ["OrderPriority"] = Tempora.Visibility.Query.SearchAttributeType.Int,
        };

    /// <summary>A task queue name no other test uses.</summary>
    public static string NewTaskQueue(string prefix = "tq") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A workflow id no other test uses.</summary>
    public static string NewWorkflowId(string prefix = "wf") => $"{prefix}-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        _server = await StartServerAsync(
            _database.Apply(new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                // The HTTP API on a free port (tests/Http); on a cluster only here, so its calls are forwarded too.
                HttpPort = 0,
                Namespaces = [ExtraNamespace],
                SearchAttributes = TestSearchAttributes,
                // Eager workflow start (EagerWorkflowStartTests); a start that does not ask for it is not affected.
                EnableEagerWorkflowStart = true,
            }),
            "server",
            _diagnostics);
        if (Replicas > 1)
        {
            // A cluster: more replicas on the same PostgreSQL databases. The client talks to the first only, so every
            // request about a workflow whose shard another replica owns is forwarded, and polls fan out.
            for (var i = 1; i < Replicas; i++)
            {
                _peers.Add(await StartServerAsync(_database.Apply(new TemporaOptions
                {
                    Ip = "127.0.0.1",
                    Port = 0,
                    MetricsPort = 0,
                    Headless = true,
                    EnableEagerWorkflowStart = true,
                }), $"server-replica{i}", _diagnostics));
            }
            var everyone = _peers.Prepend(_server).ToList();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (everyone.Any(s => s.OwnedShards.Count == 0) || everyone.Sum(s => s.OwnedShards.Count) < 4)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("the replicas did not split the shards within 30 s");
                }
                await Task.Delay(100);
            }
        }
        _client = await ConnectAsync(_server);
    }

    /// <summary>Replicas the fixture runs (TEMPORA_TEST_REPLICAS, PostgreSQL only); 1 by default.</summary>
    public static int Replicas =>
        TestDatabase.UsePostgres && int.TryParse(Environment.GetEnvironmentVariable("TEMPORA_TEST_REPLICAS"), out var n) && n > 1 ? n : 1;

    private readonly List<TemporaServer> _peers = [];

    /// <summary>The running server and, on a cluster (<see cref="Replicas"/> &gt; 1), its peers.</summary>
    public IReadOnlyList<TemporaServer> AllServers => [.. _peers.Prepend(Server)];

    public async Task DisposeAsync()
    {
        var mismatches = _peers.Prepend(_server).OfType<TemporaServer>().SelectMany(s => s.RebuildMismatches).ToList();
        foreach (var peer in _peers)
        {
            await ServerFixture.StopAsync(peer);
        }
        if (_server is not null)
        {
            await ServerFixture.StopAsync(_server);
            _server = null;
        }

        _database.Dispose();
        // Each mismatch failed its own request already; this makes sure none went unnoticed (a background step's).
        if (mismatches.Count > 0)
        {
            throw new InvalidOperationException($"The rebuild check failed {mismatches.Count} time(s):{Environment.NewLine}{string.Join(Environment.NewLine, mismatches)}");
        }
    }

    /// <summary>Stops a server gracefully (at most 15 s), then disposes it whatever happened.</summary>
    public static async Task StopAsync(TemporaServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await server.StopAsync(cts.Token);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// Starts a server, sending its log to a file under the test output directory and warnings to xunit diagnostics.
    /// Every test server checks each commit against a rebuild of the run's state from its history (VerifyRebuild).
    /// </summary>
    public static Task<TemporaServer> StartServerAsync(TemporaOptions options, string logName, IMessageSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logFile = NewLogFile(logName);
        return TemporaServer.StartAsync(
            options with { LogLevel = LogLevel.Debug, VerifyRebuild = true },
            logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddProvider(new FileAndSinkLoggerProvider(logFile, sink));
            });
    }

    /// <summary>Connects a client to the given server in the given namespace; SDK-side logs (workers too) go to a file.</summary>
    public static Task<TemporalClient> ConnectAsync(TemporaServer server, string ns = "default")
    {
        ArgumentNullException.ThrowIfNull(server);
        return TemporalClient.ConnectAsync(new TemporalClientConnectOptions(server.GrpcAddress)
        {
            Namespace = ns,
            LoggerFactory = SdkLogs.Value,
        });
    }

    private static readonly Lazy<ILoggerFactory> SdkLogs = new(() => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddProvider(new FileAndSinkLoggerProvider(NewLogFile("sdk"), sink: null));
    }));

    private static string NewLogFile(string name)
    {
        var logDir = Path.Combine(AppContext.BaseDirectory, "e2e-logs");
        Directory.CreateDirectory(logDir);
        return Path.Combine(logDir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.log");
    }
}

/// <summary>Writes every log line to a file and warnings and above to the xunit diagnostic sink.</summary>
internal sealed class FileAndSinkLoggerProvider : ILoggerProvider
{
    private readonly StreamWriter _writer;
    private readonly IMessageSink? _sink;
    private readonly Lock _gate = new();

    public FileAndSinkLoggerProvider(string path, IMessageSink? sink)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        _sink = sink;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} [{level}] {category}: {message}{(exception is null ? string.Empty : Environment.NewLine + exception)}";
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Log lines arriving after shutdown are dropped.
            }
        }

        if (level >= LogLevel.Warning)
        {
            _sink?.OnMessage(new Xunit.Sdk.DiagnosticMessage("[tempora] " + line));
        }
    }

    private sealed class Logger(FileAndSinkLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
