using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tempora.Server;

namespace Tempora.Cli;

/// <summary>
/// <c>tempora start-dev</c>: every role in one process on an embedded SQLite store. The flags mirror
/// <c>temporal server start-dev</c> so that existing scripts carry over.
/// </summary>
internal sealed class StartDevCommand : Command
{
    private const string MemoryDbFilename = ":memory:";
    private const string DefaultNamespace = "default";

    private readonly Option<string> _ip = new("--ip")
    {
        Description = "IP address every listener binds to (localhost means 127.0.0.1)",
        DefaultValueFactory = _ => "127.0.0.1",
        HelpName = "address",
    };

    private readonly Option<int> _port = CommonOptions.Port("--port", 7233, "gRPC frontend port; 0 picks a free port", "-p");

    private readonly Option<int> _uiPort = CommonOptions.Port("--ui-port", 8080, "Web UI port; 0 picks a free port");

    private readonly Option<int> _metricsPort =
        CommonOptions.Port("--metrics-port", 9090, "Port of /metrics (Prometheus) and /health/live, /health/ready; 0 picks a free port");

    private readonly Option<bool> _noMetrics = new("--no-metrics")
    {
        Description = "Collect no metrics; the metrics port then serves only the health endpoints",
    };

    private readonly Option<string> _logFormat = new("--log-format")
    {
        Description = "Console log format: text or json (pretty, the Temporal CLI's legacy name of text, is text)",
        DefaultValueFactory = _ => "text",
    };

    private readonly Option<string> _dbFilename = new("--db-filename", "-f")
    {
        Description = $"SQLite database file, kept across restarts; {MemoryDbFilename} is the same as --in-memory",
        DefaultValueFactory = _ => "tempora.db",
        HelpName = "path",
    };

    private readonly Option<bool> _inMemory = new("--in-memory")
    {
        Description = "Keep everything in memory; nothing survives a restart",
    };

    private readonly Option<string[]> _namespaces = new("--namespace", "-n")
    {
        Description = "Namespace to create besides 'default'; repeat the flag for several",
        HelpName = "name",
    };

    private readonly Option<string> _logLevel = new("--log-level")
    {
        Description = "Lowest level written to the console log; never writes none (as the Temporal CLI's start-dev)",
        DefaultValueFactory = _ => "info",
    };

    private readonly Option<string[]> _searchAttributes = new("--search-attribute")
    {
        Description = "Custom search attribute to register in every namespace, as Name=Type (Keyword, Text, Int, Double, Bool, Datetime, KeywordList); repeat for several",
        HelpName = "name=type",
    };

    private readonly Option<bool> _headless = new("--headless")
    {
        Description = "Do not serve the web UI",
    };

    private readonly Option<string[]> _uiAllowedHosts = CommonOptions.UiAllowedHosts();

    private readonly Option<string[]> _dynamicConfigValues = new("--dynamic-config-value")
    {
        Description = $"A limit, as KEY=VALUE with one of Temporal's dynamic-config keys ({DynamicConfigLimits.KnownKeys}); repeat for several",
        HelpName = "key=value",
    };

    private readonly Option<string> _tlsCert = new("--tls-cert")
    {
        Description = "PEM certificate (chain) of the gRPC port, which then speaks TLS; needs --tls-key",
        HelpName = "file",
    };

    private readonly Option<string> _tlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert", HelpName = "file" };

    private readonly Option<string> _tlsClientCa = new("--tls-client-ca")
    {
        Description = "PEM CA certificates; clients of the gRPC port must then present a certificate issued by one (mTLS)",
        HelpName = "file",
    };

    public StartDevCommand()
        : base("start-dev", "Start a development server: every role in one process, with an embedded store")
    {
        _ip.Validators.Add(CommonOptions.ValidateIp);
        _dbFilename.Validators.Add(CommonOptions.ValidateNotBlank);
        _namespaces.Validators.Add(CommonOptions.ValidateNotBlank);
        _logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error", "never");
        // pretty and never are the Temporal CLI's; sdk-core's dev-server launcher passes --log-format pretty.
        _logFormat.AcceptOnlyFromAmong("text", "json", "pretty");
        _searchAttributes.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (ParseSearchAttribute(token.Value) is null)
                {
                    result.AddError($"--search-attribute must be Name=Type with Type one of Keyword, Text, Int, Double, Bool, Datetime, KeywordList, not '{token.Value}'.");
                }
            }
        });

        Options.Add(_ip);
        Options.Add(_port);
        Options.Add(_uiPort);
        Options.Add(_metricsPort);
        Options.Add(_noMetrics);
        Options.Add(_dbFilename);
        Options.Add(_inMemory);
        Options.Add(_namespaces);
        Options.Add(_logLevel);
        Options.Add(_logFormat);
        Options.Add(_searchAttributes);
        Options.Add(_headless);
        Options.Add(_uiAllowedHosts);
        Options.Add(_tlsCert);
        Options.Add(_tlsKey);
        Options.Add(_tlsClientCa);
        _dynamicConfigValues.Validators.Add(result =>
        {
            try
            {
                DynamicConfigLimits.Apply(new TemporaOptions(), result.Tokens.Select(t => t.Value));
            }
            catch (ConfigurationException e)
            {
                result.AddError(e.Message);
            }
        });
        Options.Add(_dynamicConfigValues);

        SetAction(RunAsync);
    }

    private Task<int> RunAsync(ParseResult parseResult, CancellationToken ct)
    {
        TemporaOptions options;
        try
        {
            // The memory bounds come from the environment, as for `tempora start` (docs/performance.md, "Memory").
            options = ServerConfiguration.WithMemoryBoundsFromEnvironment(ReadOptions(parseResult), Environment.GetEnvironmentVariables());
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"Invalid configuration: {e.Message}");
            return Task.FromResult(1);
        }
        return ServerRunner.RunAsync(options, server => PrintBanner(options, server.GrpcAddress, server.MetricsAddress, server.UiAddress), ct);
    }

    private TemporaOptions ReadOptions(ParseResult parseResult)
    {
        var ip = parseResult.GetRequiredValue(_ip);
        var dbFilename = parseResult.GetRequiredValue(_dbFilename);
        var inMemory = parseResult.GetValue(_inMemory) || dbFilename == MemoryDbFilename;
        var options = new TemporaOptions
        {
            Ip = string.Equals(ip, "localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : ip,
            Port = parseResult.GetValue(_port),
            UiPort = parseResult.GetValue(_uiPort),
            MetricsPort = parseResult.GetValue(_metricsPort),
            Metrics = !parseResult.GetValue(_noMetrics),
            LogFormat = parseResult.GetRequiredValue(_logFormat) is "pretty"
                ? LogFormat.Text
                : ServerConfiguration.ParseLogFormat(parseResult.GetRequiredValue(_logFormat)),
            // Resolved here so that the banner names the file a later `start-dev -f` must point at.
            DbFilename = inMemory ? MemoryDbFilename : Path.GetFullPath(dbFilename),
            InMemory = inMemory,
            // The server always creates 'default'; repeating it on the command line is harmless, not an error.
            Namespaces = (parseResult.GetValue(_namespaces) ?? [])
                .Where(n => n != DefaultNamespace)
                .Distinct(StringComparer.Ordinal)
                .ToArray(),
            LogLevel = parseResult.GetRequiredValue(_logLevel) is "never"
                ? LogLevel.None
                : ServerConfiguration.ParseLogLevel(parseResult.GetRequiredValue(_logLevel)),
            Headless = parseResult.GetValue(_headless),
            // Namespaces can opt in to archival (file:// or s3://); none archives unless told (docs/archival.md).
            Archival = ArchivalConfiguration.DevServer(Environment.GetEnvironmentVariables()),
            SearchAttributes = (parseResult.GetValue(_searchAttributes) ?? [])
                .Select(ParseSearchAttribute)
                .OfType<KeyValuePair<string, Tempora.Visibility.Query.SearchAttributeType>>()
                .GroupBy(a => a.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
            VerifyRebuild = VerifyRebuildFromEnvironment(),
            UiAllowedHosts = CommonOptions.SplitHosts(parseResult.GetValue(_uiAllowedHosts) ?? []),
            Tls = ReadTls(parseResult),
        };
        return DynamicConfigLimits.Apply(options, parseResult.GetValue(_dynamicConfigValues) ?? []);
    }

    /// <summary>--tls-cert, --tls-key and --tls-client-ca as the frontend's global.tls settings, checked as `tempora start` checks them.</summary>
    private TlsOptions ReadTls(ParseResult parseResult)
    {
        const string Frontend = "global:tls:frontend:server";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{Frontend}:certFile"] = parseResult.GetValue(_tlsCert),
            [$"{Frontend}:keyFile"] = parseResult.GetValue(_tlsKey),
            [$"{Frontend}:clientCaFiles:0"] = parseResult.GetValue(_tlsClientCa),
            [$"{Frontend}:requireClientAuth"] = parseResult.GetValue(_tlsClientCa) is null ? null : "true",
        };
        return TlsConfiguration.Parse(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    /// <summary>TEMPORA_VERIFY_REBUILD, as `tempora start` reads it (the tests set it for the servers they launch).</summary>
    private static bool VerifyRebuildFromEnvironment() =>
        Environment.GetEnvironmentVariable("TEMPORA_VERIFY_REBUILD") is { Length: > 0 } value
        && ServerConfiguration.ParseSwitch("TEMPORA_VERIFY_REBUILD", value);

    private static void PrintBanner(TemporaOptions options, string grpcAddress, string metricsAddress, string? uiAddress)
    {
        var version = typeof(StartDevCommand).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var namespaces = string.Join(", ", options.Namespaces.Prepend(DefaultNamespace));
        var database = options.InMemory ? "in memory (nothing is kept)" : options.DbFilename;
        Console.Out.WriteLine($"""
            Tempora {version}
            Server:     {grpcAddress}
            Metrics:    http://{metricsAddress}/metrics
            UI:         {(uiAddress is null ? "off (--headless)" : $"http://{uiAddress}")}
            Namespaces: {namespaces}
            Database:   {database}
            """);
        Console.Out.Flush();
    }

    /// <summary>Name=Type as the Temporal CLI's start-dev takes it; null when malformed.</summary>
    private static KeyValuePair<string, Tempora.Visibility.Query.SearchAttributeType>? ParseSearchAttribute(string value)
    {
        var parts = value.Split('=', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0
            && Enum.TryParse<Tempora.Visibility.Query.SearchAttributeType>(parts[1], ignoreCase: true, out var type) && Enum.IsDefined(type)
            ? new(parts[0], type)
            : null;
    }
}
