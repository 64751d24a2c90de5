using System.Net;
using Microsoft.AspNetCore.Http;

namespace Tempora.Web.Security;

/// <summary>
/// The names the UI answers to. DNS rebinding makes a browser send an attacker's page's requests to this server with
/// the attacker's domain as Host (and Origin, so the actions' same-origin check passes); refusing unknown Host names
/// defeats it. Always allowed, since an attacker's page can never have them as its origin while talking to this
/// server: any IP literal (no DNS is involved, so a browser that reached this server by IP, through whichever
/// interface, NAT or port forward, is on a page this server served), <c>localhost</c> and <c>*.localhost</c> (browsers
/// resolve them to loopback themselves), and this machine's host name (resolved by the user's own resolver). Ports are
/// not compared: rebinding forges the name, and port forwards (docker -p, kubectl port-forward) change the port.
/// Ingress and DNS names are added by configuration (<c>--ui-allowed-hosts</c>): <c>name</c>, <c>*.domain</c> for
/// its subdomains, or <c>*</c> for any (when a proxy in front checks Host itself).
/// </summary>
public sealed class UiHostAllowList
{
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase) { "localhost" };
    private readonly List<string> _suffixes = [".localhost"];
    private readonly bool _any;

    public UiHostAllowList(IEnumerable<string> configured, string? machineName)
    {
        ArgumentNullException.ThrowIfNull(configured);
        if (!string.IsNullOrEmpty(machineName))
        {
            _names.Add(machineName);
        }
        foreach (var entry in configured)
        {
            if (Problem(entry) is { } problem)
            {
                throw new ArgumentException(problem, nameof(configured));
            }
            var name = entry.Trim().TrimEnd('.');
            if (name == "*")
            {
                _any = true;
            }
            else if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                _suffixes.Add(name[1..]);
            }
            else
            {
                _names.Add(name);
            }
        }
    }

    /// <summary>What is wrong with a configured entry, or null when it is a host name, <c>*.domain</c> or <c>*</c>.</summary>
    public static string? Problem(string entry)
    {
        var name = entry?.Trim() ?? "";
        if (name is "*")
        {
            return null;
        }
        var host = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        return host.Length > 0 && host.Length <= 253 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')
            ? null
            : $"UI allowed host '{entry}' is not a host name (letters, digits, '-', '_' and '.'; '*.domain' for subdomains, '*' for any; no scheme, port or path).";
    }

    /// <summary>Whether a request with this Host header is answered; one without Host (HTTP/1.0 tools) is.</summary>
    public bool Allows(HostString host)
    {
        if (_any || !host.HasValue)
        {
            return true;
        }
        var name = host.Host.TrimEnd('.');
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            return IPAddress.TryParse(name[1..^1], out _);
        }
        if (IsIPv4Literal(name) || _names.Contains(name))
        {
            return true;
        }
        foreach (var suffix in _suffixes)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Dotted decimal only: IPAddress.TryParse also takes forms such as "1" or "0x7f.1" that browsers rewrite before sending.</summary>
    private static bool IsIPv4Literal(string name) =>
        name.Count(c => c == '.') == 3 && name.All(c => char.IsAsciiDigit(c) || c == '.') && IPAddress.TryParse(name, out _);
}
