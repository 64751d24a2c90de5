using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tempora.Persistence.Postgres;
using Tempora.History;
using Tempora.Server;
using Tempora.Visibility.Query;

namespace Tempora.Cli;

/// <summary>
/// Settings of `tempora start` and `tempora schema`, from lowest to highest precedence: built-in defaults, the config
/// file (YAML or JSON), the environment variables of Temporal's server image, Tempora's own environment variables,
/// and command-line flags. Keys are case-insensitive; docs/postgresql.md lists them.
/// </summary>
internal static class ServerConfiguration
{
    /// <summary>The variables Temporal's server image reads, so that a deployment moving over keeps its settings.</summary>
    private static readonly (string Variable, string Key)[] TemporalVariables =
    [
        ("DB", "db"),
        ("DB_PORT", "postgres:port"),
        ("POSTGRES_SEEDS", "postgres:host"),
        ("POSTGRES_USER", "postgres:user"),
        ("POSTGRES_PWD", "postgres:password"),
        ("DBNAME", "postgres:database"),
        ("VISIBILITY_DBNAME", "postgres:visibilityDatabase"),
        ("SQL_MAX_CONNS", "postgres:maxConnections"),
        ("NUM_HISTORY_SHARDS", "numHistoryShards"),
        ("SERVICES", "services"),
        ("BIND_ON_IP", "ip"),
        ("TEMPORAL_BROADCAST_ADDRESS", "broadcastAddress"),
        .. UiAuthConfiguration.TemporalVariables,
        .. TlsConfiguration.TemporalVariables,
        .. AuthorizationConfiguration.Variables,
    ];

    /// <summary>The memory bounds' variables; start-dev reads them too (<see cref="WithMemoryBounds"/>).</summary>
    private static readonly (string Variable, string Key)[] MemoryBoundVariables =
    [
        ("TEMPORA_RUN_CACHE_MAX_MIB", "runCacheMaxMiB"),
        ("TEMPORA_TASK_QUEUE_IDLE_SECONDS", "taskQueueIdleSeconds"),
        ("TEMPORA_METRIC_LABEL_MAX_VALUES", "metricLabelMaxValues"),
        ("TEMPORA_METRIC_LABEL_MAX_LENGTH", "metricLabelMaxLength"),
    ];

    private static readonly (string Variable, string Key)[] TemporaVariables =
    [
        ("TEMPORA_DB", "db"),
        ("TEMPORA_SQLITE_FILE", "sqlite:file"),
        ("TEMPORA_DB_HOST", "postgres:host"),
        ("TEMPORA_DB_PORT", "postgres:port"),
        ("TEMPORA_DB_USER", "postgres:user"),
        ("TEMPORA_DB_PASSWORD", "postgres:password"),
        ("TEMPORA_DB_PASSWORD_FILE", "postgres:passwordFile"),
        ("TEMPORA_DB_NAME", "postgres:database"),
        ("TEMPORA_VISIBILITY_DB_NAME", "postgres:visibilityDatabase"),
        ("TEMPORA_DB_MAX_CONNECTIONS", "postgres:maxConnections"),
        ("TEMPORA_DB_SSL_MODE", "postgres:sslMode"),
        ("TEMPORA_DB_OPTIONS", "postgres:connectionOptions"),
        ("TEMPORA_NUM_HISTORY_SHARDS", "numHistoryShards"),
        ("TEMPORA_SERVICES", "services"),
        ("TEMPORA_IP", "ip"),
        ("TEMPORA_BROADCAST_ADDRESS", "broadcastAddress"),
        ("TEMPORA_PORT", "port"),
        ("TEMPORA_UI_PORT", "uiPort"),
        ("TEMPORA_METRICS_PORT", "metricsPort"),
        ("TEMPORA_LOG_LEVEL", "logLevel"),
        ("TEMPORA_LOG_FORMAT", "logFormat"),
        ("TEMPORA_METRICS", "metrics"),
        ("TEMPORA_NAMESPACES", "namespaces"),
        ("TEMPORA_VERIFY_REBUILD", "verifyRebuild"),
        ("TEMPORA_NAMESPACE_MIN_RETENTION", "namespaceMinRetention"),
        ("TEMPORA_NAMESPACE_MAX_RETENTION", "namespaceMaxRetention"),
        ("TEMPORA_UI_ALLOWED_HOSTS", "uiAllowedHosts"),
        ("TEMPORA_CLUSTER_SECRET", "cluster:secret"),
        ("TEMPORA_CLUSTER_SECRET_FILE", "cluster:secretFile"),
        .. TlsConfiguration.TemporaVariables,
        .. AuthorizationConfiguration.TemporaVariables,
        .. MemoryBoundVariables,
        .. UiAuthConfiguration.TemporaVariables,
    ];

    /// <summary>Every role a process can run; all of them by default.</summary>
    public static readonly string[] AllServices = ["frontend", "history", "matching", "worker", "web"];

    /// <summary>The options from the config file (--config or TEMPORA_CONFIG) and the environment; on a bad setting,
    /// writes the reason to stderr and returns null (exit code 2).</summary>
    public static TemporaOptions? TryLoad(string? configFlag)
    {
        try
        {
            var environment = Environment.GetEnvironmentVariables();
            return ToOptions(Load(ConfigFile(configFlag, environment), environment));
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"Invalid configuration: {e.Message}");
            return null;
        }
    }

    /// <summary>The config file named by --config, else by TEMPORA_CONFIG, else none.</summary>
    public static string? ConfigFile(string? flag, IDictionary environment) =>
        flag ?? environment["TEMPORA_CONFIG"] as string;

    /// <summary>Reads the file and the environment into one configuration (flags are applied by the caller).</summary>
    public static IConfiguration Load(string? configFile, IDictionary environment)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
            {
                throw new ConfigurationException($"Config file {path} does not exist.");
            }
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                builder.AddJsonFile(path, optional: false);
            }
            else
            {
                builder.AddInMemoryCollection(YamlConfiguration.Read(path));
            }
        }
        builder.AddInMemoryCollection(FromEnvironment(TemporalVariables, environment));
        builder.AddInMemoryCollection(FromEnvironment(TemporaVariables, environment));
        return builder.Build();
    }

    private static IEnumerable<KeyValuePair<string, string?>> FromEnvironment((string Variable, string Key)[] table, IDictionary environment)
    {
        foreach (var (variable, key) in table)
        {
            if (environment[variable] is string { Length: > 0 } value)
            {
                yield return new(key, value);
            }
        }
    }

    /// <summary>The server options the configuration describes; throws <see cref="ConfigurationException"/> on bad values.</summary>
    public static TemporaOptions ToOptions(IConfiguration config)
    {
        var services = Services(config);
        var options = new TemporaOptions
        {
            Ip = config["ip"] ?? "0.0.0.0",
            Port = Int(config, "port", 7233, 0, 65535),
            UiPort = Int(config, "uiPort", 8080, 0, 65535),
            MetricsPort = Int(config, "metricsPort", 9090, 0, 65535),
            Metrics = Switch(config, "metrics", true),
            LogLevel = ParseLogLevel(config["logLevel"] ?? "info"),
            LogFormat = ParseLogFormat(config["logFormat"] ?? "json"),
            Headless = !services.Contains("web"),
            Worker = services.Contains("worker"),
            Namespaces = List(config, "namespaces").Where(n => n != "default").Distinct(StringComparer.Ordinal).ToArray(),
            NumHistoryShards = Int(config, "numHistoryShards", 4, 1, 16384),
            BroadcastAddress = config["broadcastAddress"] is { Length: > 0 } broadcast ? broadcast : null,
            ClusterSecret = ClusterSecret(config),
            MigrateSchema = false,
            VerifyRebuild = Switch(config, "verifyRebuild", false),
            NamespaceRetention = new RetentionBounds
            {
                Minimum = Duration(config, "namespaceMinRetention", RetentionBounds.DefaultMinimum),
                Maximum = Duration(config, "namespaceMaxRetention", RetentionBounds.DefaultMaximum),
            },
            UiAllowedHosts = UiAllowedHosts(config),
            UiAuth = UiAuthConfiguration.Read(config),
            Tls = TlsConfiguration.Parse(config),
            Authorization = AuthorizationConfiguration.Parse(config),
            Archival = ArchivalConfiguration.Parse(config),
        };
        if (options.NamespaceRetention.Minimum > options.NamespaceRetention.Maximum)
        {
            throw new ConfigurationException("Setting 'namespaceMinRetention' is greater than 'namespaceMaxRetention'.");
        }
        if (options.Authorization.UsesDefaultAuthorizer && !options.Headless && options.UiAuth is null)
        {
            // The UI calls the frontend with its user's token; without a login it has none, and every page would be refused.
            throw new ConfigurationException(
                "Setting 'global:authorization:authorizer' is 'default' but the web UI has no login: turn on 'ui:auth:enabled' " +
                "(TEMPORAL_AUTH_ENABLED) with an OpenID Connect provider, or run without the web role (services: frontend, history, matching, worker).");
        }
        options = WithMemoryBounds(options, config);
        options = DynamicConfigLimits.Apply(options, config);
        return ParseStore(config["db"] ?? "sqlite") switch
        {
            StoreKind.Postgres => options with { Store = StoreKind.Postgres, Postgres = PostgresSettings(config) },
            _ => options with { Store = StoreKind.Sqlite, DbFilename = Path.GetFullPath(config["sqlite:file"] ?? "tempora.db") },
        };
    }

    /// <summary>The memory bounds the configuration sets (docs/performance.md, "Memory"); the rest stays.</summary>
    public static TemporaOptions WithMemoryBounds(TemporaOptions options, IConfiguration config) => options with
    {
        RunCacheMaxBytes = Int(config, "runCacheMaxMiB", (int)(options.RunCacheMaxBytes / (1024 * 1024)), 1, 1024 * 1024) * 1024L * 1024,
        TaskQueueIdleTime = TimeSpan.FromSeconds(Int(config, "taskQueueIdleSeconds", (int)options.TaskQueueIdleTime.TotalSeconds, 1, 7 * 24 * 3600)),
        MetricLabelMaxValues = Int(config, "metricLabelMaxValues", options.MetricLabelMaxValues, 1, 1_000_000),
        MetricLabelMaxLength = Int(config, "metricLabelMaxLength", options.MetricLabelMaxLength, 16, 100_000),
    };

    /// <summary>The memory bounds set by environment variables (start-dev, which has no config file).</summary>
    public static TemporaOptions WithMemoryBoundsFromEnvironment(TemporaOptions options, IDictionary environment) =>
        WithMemoryBounds(options, new ConfigurationBuilder().AddInMemoryCollection(FromEnvironment(MemoryBoundVariables, environment)).Build());

    public static StoreKind ParseStore(string value) => value.ToLowerInvariant() switch
    {
        "sqlite" => StoreKind.Sqlite,
        "postgres" or "postgresql" or "postgres12" or "postgres12_pgx" => StoreKind.Postgres,
        _ => throw new ConfigurationException(
            $"Database type '{value}' is not supported; use sqlite or postgres (Temporal's postgres12 and postgres12_pgx mean postgres)."),
    };

    public static PostgresSettings PostgresSettings(IConfiguration config)
    {
        var defaults = new PostgresSettings();
        var password = config["postgres:password"];
        if (config["postgres:passwordFile"] is { Length: > 0 } passwordFile)
        {
            // A Kubernetes secret mounted as a file; the trailing newline editors add is not part of the password.
            password = File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
        }
        var settings = new PostgresSettings
        {
            // POSTGRES_SEEDS may list several hosts; Npgsql takes a comma-separated list and tries them in turn.
            Host = config["postgres:host"] ?? defaults.Host,
            Port = Int(config, "postgres:port", defaults.Port, 1, 65535),
            User = config["postgres:user"] ?? defaults.User,
            Password = password ?? defaults.Password,
            Database = config["postgres:database"] ?? defaults.Database,
            VisibilityDatabase = config["postgres:visibilityDatabase"] ?? defaults.VisibilityDatabase,
            MaxConnections = Int(config, "postgres:maxConnections", defaults.MaxConnections, 1, 10_000),
            SslMode = config["postgres:sslMode"] ?? defaults.SslMode,
            ConnectionOptions = config["postgres:connectionOptions"],
        };
        try
        {
            _ = settings.ConnectionString(settings.Database);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ConfigurationException($"Invalid PostgreSQL settings: {e.Message}");
        }
        return settings;
    }

    /// <summary>cluster:secret, or the file cluster:secretFile names (a Kubernetes Secret mounted as a file); null when
    /// neither is set.</summary>
    private static string? ClusterSecret(IConfiguration config)
    {
        var value = config["cluster:secret"] is { Length: > 0 } secret ? secret : null;
        var key = "cluster:secret";
        if (config["cluster:secretFile"] is { Length: > 0 } file)
        {
            if (value is not null)
            {
                throw new ConfigurationException("Settings 'cluster:secret' and 'cluster:secretFile' are both set; give one of them.");
            }
            key = "cluster:secretFile";
            try
            {
                // The trailing newline editors add is not part of the secret.
                value = File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"Setting 'cluster:secretFile': cannot read {file}: {e.Message}");
            }
        }
        if (value is not null && Tempora.Cluster.Peers.ClusterSecret.Problem(value) is { } problem)
        {
            throw new ConfigurationException($"Setting '{key}': the cluster secret {problem}.");
        }
        return value;
    }

    public static LogLevel ParseLogLevel(string value) => value.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => throw new ConfigurationException($"Log level '{value}' is not one of debug, info, warn, error."),
    };

    public static LogFormat ParseLogFormat(string value) => value.ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new ConfigurationException($"Log format '{value}' is not one of text, json."),
    };

    /// <summary>An on/off setting: true/false, on/off, yes/no, 1/0.</summary>
    private static bool Switch(IConfiguration config, string key, bool defaultValue) =>
        config[key] is { } text ? ParseSwitch(key, text) : defaultValue;

    internal static bool ParseSwitchOf(IConfiguration config, string key, bool defaultValue) => Switch(config, key, defaultValue);

    public static bool ParseSwitch(string key, string text) => text.ToLowerInvariant() switch
    {
        "true" or "on" or "yes" or "1" => true,
        "false" or "off" or "no" or "0" => false,
        _ => throw new ConfigurationException($"Setting '{key}' must be true or false (on/off), not '{text}'."),
    };

    /// <summary>
    /// The roles this process runs. Frontend, history and matching run in one process for now (they call each other
    /// in memory); worker and web can be left out.
    /// </summary>
    private static HashSet<string> Services(IConfiguration config)
    {
        var services = List(config, "services").Select(s => s.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (services.Count == 0)
        {
            services.UnionWith(AllServices);
        }
        if (services.FirstOrDefault(s => !AllServices.Contains(s)) is { } unknown)
        {
            throw new ConfigurationException($"Unknown service '{unknown}'; services are {string.Join(", ", AllServices)}.");
        }
        if (!services.IsSupersetOf(["frontend", "history", "matching"]))
        {
            throw new ConfigurationException(
                "Running frontend, history and matching in separate processes is not supported yet; give all three (worker and web are optional).");
        }
        return services;
    }

    /// <summary>A list from a YAML/JSON sequence or from one string separated by commas or colons (Temporal's SERVICES).</summary>
    private static List<string> List(IConfiguration config, string key)
    {
        var section = config.GetSection(key);
        var items = section.Value is { } single
            ? single.Split([',', ':'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value).OfType<string>();
        return items.Where(i => i.Length > 0).ToList();
    }

    /// <summary>A positive duration in Go's notation (Temporal's config files use it): 90s, 1h, 36500d, 2h45m.</summary>
    private static TimeSpan Duration(IConfiguration config, string key, TimeSpan defaultValue)
    {
        var text = config[key];
        if (text is null)
        {
            return defaultValue;
        }
        if (Durations.ParseNanoseconds(text) is not { } nanos || nanos <= 0)
        {
            throw new ConfigurationException($"Setting '{key}' must be a positive duration such as 90s, 1h or 30d, not '{text}'.");
        }
        return TimeSpan.FromTicks(nanos / 100);
    }

    /// <summary>uiAllowedHosts: a YAML/JSON sequence or one comma-separated string.</summary>
    private static string[] UiAllowedHosts(IConfiguration config)
    {
        var section = config.GetSection("uiAllowedHosts");
        var hosts = CommonOptions.SplitHosts(section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value).OfType<string>());
        if (hosts.Select(Tempora.Web.Security.UiHostAllowList.Problem).FirstOrDefault(p => p is not null) is { } problem)
        {
            throw new ConfigurationException(problem);
        }
        return hosts;
    }

    private static int Int(IConfiguration config, string key, int defaultValue, int min, int max)
    {
        var text = config[key];
        if (text is null)
        {
            return defaultValue;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ConfigurationException($"Setting '{key}' must be a whole number from {min} to {max}, not '{text}'.");
        }
        return value;
    }
}

/// <summary>A setting is missing or malformed; the message names it.</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
