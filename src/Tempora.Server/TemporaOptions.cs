using Microsoft.Extensions.Logging;
using Tempora.Persistence.Postgres;

namespace Tempora.Server;

/// <summary>Everything a Tempora process needs to start; the CLI fills it from flags.</summary>
public sealed record TemporaOptions
{
    /// <summary>Address every listener binds to.</summary>
    public string Ip { get; init; } = "127.0.0.1";

    /// <summary>gRPC frontend port; 0 picks a free port.</summary>
    public int Port { get; init; } = 7233;

    /// <summary>Web UI port; 0 picks a free port.</summary>
    public int UiPort { get; init; } = 8080;

    /// <summary>Port of the HTTP listener for /metrics, /health/live and /health/ready; 0 picks a free port.</summary>
    public int MetricsPort { get; init; } = 9090;

    /// <summary>
    /// Port of Temporal's HTTP API (JSON over HTTP/1.1 and HTTP/2, same IP and TLS as the gRPC port); null leaves it
    /// off, 0 picks a free port. Off by default here so in-process servers don't contend for the CLI's default 7243.
    /// </summary>
    public int? HttpPort { get; init; }

    /// <summary>Collect and serve Prometheus metrics; when off, the metrics port serves only the health endpoints.</summary>
    public bool Metrics { get; init; } = true;

    /// <summary>Console log format when the caller does not configure logging itself.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Which store holds the data.</summary>
    public StoreKind Store { get; init; } = StoreKind.Sqlite;

    /// <summary>Connection settings when <see cref="Store"/> is PostgreSQL.</summary>
    public PostgresSettings Postgres { get; init; } = new();

    /// <summary>Apply pending schema migrations at start (start-dev, tests). `tempora start` leaves this off and
    /// refuses a schema at another version, naming the `tempora schema` command that fixes it.</summary>
    public bool MigrateSchema { get; init; } = true;

    /// <summary>SQLite database file; ignored when <see cref="InMemory"/> is set.</summary>
    public string DbFilename { get; init; } = "tempora.db";

    /// <summary>Keep everything in memory (throwaway runs); nothing survives a restart.</summary>
    public bool InMemory { get; init; }

    /// <summary>Namespaces created at start besides <c>default</c>.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Custom search attributes registered at start in every namespace created at start (start-dev's --search-attribute).</summary>
    public IReadOnlyDictionary<string, Tempora.Visibility.Query.SearchAttributeType> SearchAttributes { get; init; } =
        new Dictionary<string, Tempora.Visibility.Query.SearchAttributeType>();

    /// <summary>How often closed runs past their namespace's retention are deleted.</summary>
    public TimeSpan RetentionScanInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Temporal's cluster-level <c>archival:</c> and <c>namespaceDefaults:archival:</c> settings (docs/archival.md); off
    /// by default, as on Temporal.
    /// </summary>
    public Tempora.Archival.ArchivalSettings Archival { get; init; } = new();

    /// <summary>Minimum level written to the log.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Shards executions hash into (Temporal's numHistoryShards); fixed for the life of a database.</summary>
    public int NumHistoryShards { get; init; } = 4;

    /// <summary>
    /// The IP the other replicas reach this process at (TEMPORAL_BROADCAST_ADDRESS, as for Temporal's server; on
    /// Kubernetes the pod IP). Unset: <see cref="Ip"/>, or this host's first non-loopback IPv4 address when that is
    /// 0.0.0.0. The gRPC port is added to it.
    /// </summary>
    public string? BroadcastAddress { get; init; }

    /// <summary>
    /// The secret replicas prove themselves to each other with when they have no internode certificate
    /// (<c>cluster:secret</c>, <c>cluster:secretFile</c>). Unset on PostgreSQL: one generated at the first start and
    /// kept in the database. Every replica must have the same.
    /// </summary>
    public string? ClusterSecret { get; init; }

    /// <summary>Do not serve the web UI.</summary>
    public bool Headless { get; init; }

    /// <summary>
    /// Run the worker role: the schedules (and later the other system jobs) of the shards this process owns. Off, the
    /// process still serves the Schedule API, but fires none of its shards' schedules (SERVICES without worker).
    /// </summary>
    public bool Worker { get; init; } = true;

    /// <summary>
    /// Check every commit against a rebuild of the run's mutable state from its history (TEMPORA_VERIFY_REBUILD=1;
    /// the tests turn it on): a commit whose state its history would not give back is refused and logged.
    /// </summary>
    public bool VerifyRebuild { get; init; }

    /// <summary>Temporal's <c>global.authorization</c>: the JWT claim mapper and role-based authorizer; off by default.</summary>
    public Tempora.Frontend.Authorization.AuthorizationSettings Authorization { get; init; } = new();

    /// <summary>The retention periods RegisterNamespace and UpdateNamespace accept (namespaceMin/MaxRetention).</summary>
    public Tempora.History.RetentionBounds NamespaceRetention { get; init; } = new();

    /// <summary>
    /// Host names the web UI answers to besides IP literals, localhost and this machine's name: an ingress's or DNS
    /// name, <c>*.domain</c> for its subdomains, <c>*</c> for any (--ui-allowed-hosts, TEMPORA_UI_ALLOWED_HOSTS). Other
    /// Host headers answer 400, which defeats DNS rebinding (docs/web-ui.md).
    /// </summary>
    public IReadOnlyList<string> UiAllowedHosts { get; init; } = [];

    /// <summary>The web UI's OpenID Connect login (ui:auth:*, TEMPORAL_AUTH_*); null: no login (docs/security.md).</summary>
    public Tempora.Web.Security.UiAuthSettings? UiAuth { get; init; }

    /// <summary>TLS and mTLS of the gRPC, web UI and metrics listeners, and between replicas; off by default.</summary>
    public TlsOptions Tls { get; init; } = new();

    // Memory bounds: what clients can make the server hold (docs/performance.md, "Memory").

    /// <summary>The default <see cref="MetricLabelMaxValues"/>.</summary>
    public const int DefaultMetricLabelMaxValues = 1_000;

    /// <summary>The default <see cref="MetricLabelMaxLength"/>.</summary>
    public const int DefaultMetricLabelMaxLength = 256;

    /// <summary>
    /// Bytes the history run cache may hold, estimated from serialized sizes (runCacheMaxMiB, TEMPORA_RUN_CACHE_MAX_MIB;
    /// 256 MiB). The runs used longest ago are dropped past it and reload from the store on next use.
    /// </summary>
    public long RunCacheMaxBytes { get; init; } = Tempora.History.HistoryOptions.DefaultRunCacheMaxBytes;

    /// <summary>How far ahead, and how many rows a read, the timer queue loads each shard's timers (a minute, 1 000).</summary>
    public Tempora.History.Queues.TimerPaging TimerPaging { get; init; } = Tempora.History.Queues.TimerPaging.Default;

    /// <summary>
    /// A task queue with no poller, no task in memory and no activity for this long is unloaded, metric series
    /// included (taskQueueIdleSeconds, TEMPORA_TASK_QUEUE_IDLE_SECONDS; Temporal's matching.maxTaskQueueIdleTime, 5 minutes).
    /// </summary>
    public TimeSpan TaskQueueIdleTime { get; init; } = Tempora.Matching.MatchingOptions.DefaultTaskQueueIdleTime;

    /// <summary>Worker deployments' drainage timing and poller window (Temporal's 3 minutes, 3 minutes and 5 minutes);
    /// tests shorten them.</summary>
    public Tempora.Matching.Deployments.WorkerDeploymentOptions WorkerDeployments { get; init; } = new();

    /// <summary>
    /// Distinct values each metric label (taskqueue, namespace, operation, …) may take; later ones are exported as
    /// "__omitted__" (metricLabelMaxValues, TEMPORA_METRIC_LABEL_MAX_VALUES).
    /// </summary>
    public int MetricLabelMaxValues { get; init; } = DefaultMetricLabelMaxValues;

    /// <summary>Characters kept of a metric label value (metricLabelMaxLength, TEMPORA_METRIC_LABEL_MAX_LENGTH).</summary>
    public int MetricLabelMaxLength { get; init; } = DefaultMetricLabelMaxLength;

    // Limits on what one request may carry: Temporal's defaults, each named after the setting of Temporal's it mirrors
    // (docs/limits.md). A request over one is refused; a workflow command over one fails the workflow task.

    /// <summary>
    /// Bytes of one gRPC request message (grpc-go's default, which Temporal's frontend keeps: 4 MiB). A request over it
    /// is refused from its frame header with ResourceExhausted "grpc: received message larger than max (N vs. limit)".
    /// </summary>
    public int GrpcMaxReceiveMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Temporal's system.enableEagerWorkflowStart: a StartWorkflowExecution with request_eager_execution gets its first
    /// workflow task in the response. Off by default, as in Temporal 1.28 (the request is then served as a normal start).
    /// </summary>
    public bool EnableEagerWorkflowStart { get; init; }

    /// <summary>Bytes of one payload-bearing field: input, result, failure, details, header (limit.blobSize.error).</summary>
    public int BlobSizeLimitError { get; init; } = 2 * 1024 * 1024;

    /// <summary>Bytes of a run's memo (limit.memoSize.error).</summary>
    public int MemoSizeLimitError { get; init; } = 2 * 1024 * 1024;

    /// <summary>Bytes of user metadata's summary (limit.userMetadataSummarySize).</summary>
    public int UserMetadataSummarySizeLimit { get; init; } = 400;

    /// <summary>Bytes of user metadata's details (limit.userMetadataDetailsSize).</summary>
    public int UserMetadataDetailsSizeLimit { get; init; } = 20_000;

    /// <summary>Search attributes one start or command may set (frontend.searchAttributesNumberOfKeysLimit).</summary>
    public int SearchAttributesNumberOfKeysLimit { get; init; } = 100;

    /// <summary>Bytes of one search attribute value (frontend.searchAttributesSizeOfValueLimit).</summary>
    public int SearchAttributesSizeOfValueLimit { get; init; } = 2 * 1024;

    /// <summary>Bytes of a run's search attributes together (frontend.searchAttributesTotalSizeLimit).</summary>
    public int SearchAttributesTotalSizeLimit { get; init; } = 40 * 1024;
}

/// <summary>The stores Tempora runs on.</summary>
public enum StoreKind
{
    /// <summary>Embedded, one file; the default.</summary>
    Sqlite,

    /// <summary>Production: `temporal` and `temporal_visibility` databases on a PostgreSQL server.</summary>
    Postgres,
}

/// <summary>Console log formats.</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry (start-dev).</summary>
    Text,

    /// <summary>One JSON object per entry, with the message template's values as properties (production).</summary>
    Json,
}
