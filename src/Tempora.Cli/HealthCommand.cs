using System.CommandLine;
using System.Globalization;
using System.Net;

namespace Tempora.Cli;

/// <summary>
/// <c>tempora health</c>: asks a running server's metrics listener whether it is ready (or, with --live, alive) and
/// exits 0 or 1. The container image's HEALTHCHECK runs it, because the chiseled runtime image has no shell or curl.
/// </summary>
internal sealed class HealthCommand : Command
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Option<string> _host = new("--host") { Description = "Address of the server (default: TEMPORA_IP or BIND_ON_IP when set to one address, else 127.0.0.1)", HelpName = "address" };
    private readonly Option<int?> _port = CommonOptions.OptionalPort("--port", "Metrics port of the server (default: TEMPORA_METRICS_PORT, else 9090)", "-p");
    private readonly Option<bool> _live = new("--live") { Description = "Check /health/live (the process answers) instead of /health/ready (it serves requests)" };
    private readonly Option<bool> _tls = new("--tls")
    {
        Description = "Use https, accepting whatever certificate the server presents (default: on when TEMPORA_METRICS_TLS_CERT is set)",
    };
    private readonly Option<string> _tlsCa = new("--tls-ca") { Description = "Use https and verify the server's certificate against these PEM CAs", HelpName = "file" };
    private readonly Option<string> _tlsCert = new("--tls-cert") { Description = "PEM client certificate, for a metrics listener that requires one", HelpName = "file" };
    private readonly Option<string> _tlsKey = new("--tls-key") { Description = "PEM private key of --tls-cert", HelpName = "file" };

    public HealthCommand()
        : base("health", "Check a running server's /health/ready (or /health/live) endpoint; exit code 0 when healthy, 1 otherwise")
    {
        Options.Add(_host);
        Options.Add(_port);
        Options.Add(_live);
        Options.Add(_tls);
        Options.Add(_tlsCa);
        Options.Add(_tlsCert);
        Options.Add(_tlsKey);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken ct)
    {
        var host = parseResult.GetValue(_host) ?? DefaultHost();
        var port = parseResult.GetValue(_port) ?? DefaultPort();
        if (port is null)
        {
            await Console.Error.WriteLineAsync("TEMPORA_METRICS_PORT is not a port number; pass --port.");
            return 1;
        }
        var path = parseResult.GetValue(_live) ? "/health/live" : "/health/ready";
        var ca = parseResult.GetValue(_tlsCa);
        var https = parseResult.GetValue(_tls) || ca is not null
            || Environment.GetEnvironmentVariable("TEMPORA_METRICS_TLS_CERT") is { Length: > 0 };
        var url = new UriBuilder(https ? "https" : "http", host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, port.Value, path).Uri;
        HttpClientHandler handler;
        try
        {
            handler = HealthTls.Handler(ca, parseResult.GetValue(_tlsCert), parseResult.GetValue(_tlsKey));
        }
        catch (Tempora.Core.Tls.CertificateLoadException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        using var http = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Console.Out.WriteLine($"{url}: {(int)response.StatusCode} {body}");
            return response.StatusCode == HttpStatusCode.OK ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url}: {e.Message}");
            return 1;
        }
    }

    /// <summary>The address the server binds to when it is one address; 127.0.0.1 when it binds to all of them.</summary>
    private static string DefaultHost()
    {
        var ip = Environment.GetEnvironmentVariable("TEMPORA_IP") is { Length: > 0 } tempora
            ? tempora
            : Environment.GetEnvironmentVariable("BIND_ON_IP");
        return ip switch
        {
            null or "" or "0.0.0.0" => "127.0.0.1",
            "::" => "::1",
            _ => ip,
        };
    }

    private static int? DefaultPort() => Environment.GetEnvironmentVariable("TEMPORA_METRICS_PORT") switch
    {
        null or "" => 9090,
        var text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null,
    };
}
