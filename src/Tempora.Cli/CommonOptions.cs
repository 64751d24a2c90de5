using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;

namespace Tempora.Cli;

/// <summary>Flags and validators shared by the commands that start a server.</summary>
internal static class CommonOptions
{
    public static Option<int> Port(string name, int defaultPort, string description, params string[] aliases)
    {
        var option = new Option<int>(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultPort,
            HelpName = "port",
        };
        // Reads the tokens rather than GetValueOrDefault, which throws when a token is not a number at all;
        // that case already has System.CommandLine's own "Cannot parse argument" error.
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)
                    && port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
                {
                    result.AddError($"{name} must be between 0 and 65535 (0 picks a free port), not {port}.");
                }
            }
        });
        return option;
    }

    public static void ValidateIp(OptionResult result)
    {
        var ip = result.GetValueOrDefault<string>();
        if (!string.Equals(ip, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(ip, out _))
        {
            result.AddError($"{result.Option.Name} must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{ip}'.");
        }
    }

    public static void ValidateNotBlank(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (string.IsNullOrWhiteSpace(token.Value))
            {
                result.AddError($"{result.Option.Name} must not be empty.");
                return;
            }
        }
    }

    /// <summary>A port flag without a default, so that an absent flag leaves the configured value alone.</summary>
    public static Option<int?> OptionalPort(string name, string description, params string[] aliases)
    {
        var option = new Option<int?>(name, aliases) { Description = description, HelpName = "port" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } port && port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
            {
                result.AddError($"{name} must be between 0 and 65535 (0 picks a free port), not {port}.");
            }
        });
        return option;
    }

    /// <summary>--ui-allowed-hosts: host names the web UI answers to besides IP literals, localhost and the machine's name.</summary>
    public static Option<string[]> UiAllowedHosts()
    {
        var option = new Option<string[]>("--ui-allowed-hosts")
        {
            Description = "Host names the web UI answers to besides IP addresses, localhost and this machine's name "
                + "(an ingress's name; *.domain for subdomains, * for any); comma-separated or repeated",
            HelpName = "hosts",
        };
        option.Validators.Add(result =>
        {
            foreach (var host in SplitHosts(result.Tokens.Select(t => t.Value)))
            {
                if (Tempora.Web.Security.UiHostAllowList.Problem(host) is { } problem)
                {
                    result.AddError(problem);
                }
            }
        });
        return option;
    }

    /// <summary>Host lists are separated by commas (not colons, which IPv6 addresses and ports hold).</summary>
    public static string[] SplitHosts(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    /// <summary>--config: a YAML or JSON file; TEMPORA_CONFIG names it when the flag is absent.</summary>
    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "Config file (YAML, or JSON by its .json extension); default: $TEMPORA_CONFIG",
        HelpName = "path",
    };
}
