using System.CommandLine;
using System.Reflection;
using Tempora.Server;

namespace Tempora.Cli;

/// <summary>
/// <c>tempora start</c>: the production server. Settings come from a config file and environment variables
/// (<see cref="ServerConfiguration"/>); the flags shared with start-dev override them. The schema is never changed
/// here: a database at another version is refused with the `tempora schema` command that fixes it.
/// </summary>
internal sealed class StartCommand : Command
{
    private readonly Option<string> _config = CommonOptions.Config();
    private readonly Option<string> _ip = new("--ip") { Description = "IP address every listener binds to (default 0.0.0.0)", HelpName = "address" };
    private readonly Option<string> _broadcastAddress = new("--broadcast-address")
    {
        Description = "IP the other replicas reach this one at (default: --ip, or this host's address when that is 0.0.0.0)",
        HelpName = "address",
    };
    private readonly Option<int?> _port = CommonOptions.OptionalPort("--port", "gRPC frontend port (default 7233); 0 picks a free port", "-p");
    private readonly Option<int?> _uiPort = CommonOptions.OptionalPort("--ui-port", "Web UI port (default 8080)");
    private readonly Option<int?> _metricsPort = CommonOptions.OptionalPort("--metrics-port", "Port of /metrics and /health/live, /health/ready (default 9090); 0 picks a free port");
    private readonly Option<int?> _httpPort = CommonOptions.OptionalPort("--http-port", "Port of the HTTP API (default 7243); 0 turns it off");
    private readonly Option<string> _logLevel = new("--log-level") { Description = "Lowest level written to the log (default info)" };
    private readonly Option<string> _logFormat = new("--log-format") { Description = "Console log format: json (default) or text" };
    private readonly Option<string[]> _uiAllowedHosts = CommonOptions.UiAllowedHosts();

    public StartCommand()
        : base("start", "Start the server with the settings of a config file and environment variables (production)")
    {
        _ip.Validators.Add(CommonOptions.ValidateIp);
        _logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        _logFormat.AcceptOnlyFromAmong("json", "text");
        Options.Add(_config);
        _broadcastAddress.Validators.Add(CommonOptions.ValidateIp);
        Options.Add(_ip);
        Options.Add(_broadcastAddress);
        Options.Add(_port);
        Options.Add(_uiPort);
        Options.Add(_metricsPort);
        Options.Add(_httpPort);
        Options.Add(_logLevel);
        Options.Add(_logFormat);
        Options.Add(_uiAllowedHosts);
        SetAction(RunAsync);
    }

    private Task<int> RunAsync(ParseResult parseResult, CancellationToken ct)
    {
        if (ServerConfiguration.TryLoad(parseResult.GetValue(_config)) is not { } options)
        {
            return Task.FromResult(2);
        }
        options = options with
        {
            Ip = parseResult.GetValue(_ip) is { } ip ? (ip == "localhost" ? "127.0.0.1" : ip) : options.Ip,
            BroadcastAddress = parseResult.GetValue(_broadcastAddress) ?? options.BroadcastAddress,
            Port = parseResult.GetValue(_port) ?? options.Port,
            UiPort = parseResult.GetValue(_uiPort) ?? options.UiPort,
            MetricsPort = parseResult.GetValue(_metricsPort) ?? options.MetricsPort,
            HttpPort = parseResult.GetValue(_httpPort) is { } httpPort ? (httpPort == 0 ? null : httpPort) : options.HttpPort,
            LogLevel = parseResult.GetValue(_logLevel) is { } level ? ServerConfiguration.ParseLogLevel(level) : options.LogLevel,
            LogFormat = parseResult.GetValue(_logFormat) is { } format ? ServerConfiguration.ParseLogFormat(format) : options.LogFormat,
            UiAllowedHosts = parseResult.GetValue(_uiAllowedHosts) is { } hosts ? CommonOptions.SplitHosts(hosts) : options.UiAllowedHosts,
        };
        return ServerRunner.RunAsync(options, server => PrintBanner(options, server), ct);
    }

    private static void PrintBanner(TemporaOptions options, TemporaServer server)
    {
        var version = typeof(StartCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var database = options.Store == StoreKind.Postgres ? options.Postgres.ToString() : options.DbFilename;
        Console.Out.WriteLine($"""
            Tempora {version}
            Server:     {server.GrpcAddress}
            Metrics:    http://{server.MetricsAddress}/metrics
            HTTP:       {(server.HttpAddress is { } http ? $"{(options.Tls.Frontend is null ? "http" : "https")}://{http}" : "off")}
            UI:         {(server.UiAddress is { } ui ? $"http://{ui}" : "off")}
            Database:   {database}
            """);
        Console.Out.Flush();
    }
}
