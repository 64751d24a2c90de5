using Microsoft.Extensions.Configuration;
using Tempora.Core.Tls;
using Tempora.Server;
using Tempora.Visibility.Query;

namespace Tempora.Cli;

/// <summary>
/// TLS settings: Temporal's <c>global.tls</c> section and its image's TEMPORAL_TLS_* variables for the gRPC port and
/// between replicas, Tempora's <c>tls.ui</c> and <c>tls.metrics</c> for the other listeners. Every file is loaded once
/// here, so a bad certificate stops the start with the setting's and the file's name.
/// </summary>
internal static class TlsConfiguration
{
    private const string Frontend = "global:tls:frontend:server";
    private const string Internode = "global:tls:internode:server";
    private const string InternodeClient = "global:tls:internode:client";
    private const string Ui = "tls:ui";
    private const string Metrics = "tls:metrics";

    /// <summary>The variables of Temporal's server image (its config_template.yaml), onto the same keys.</summary>
    public static readonly (string Variable, string Key)[] TemporalVariables =
    [
        ("TEMPORAL_TLS_REFRESH_INTERVAL", "global:tls:refreshInterval"),
        ("TEMPORAL_TLS_REQUIRE_CLIENT_AUTH", $"{Frontend}:requireClientAuth"),
        ("TEMPORAL_TLS_REQUIRE_CLIENT_AUTH", $"{Internode}:requireClientAuth"),
        ("TEMPORAL_TLS_FRONTEND_CERT", $"{Frontend}:certFile"),
        ("TEMPORAL_TLS_FRONTEND_KEY", $"{Frontend}:keyFile"),
        ("TEMPORAL_TLS_FRONTEND_CERT_DATA", $"{Frontend}:certData"),
        ("TEMPORAL_TLS_FRONTEND_KEY_DATA", $"{Frontend}:keyData"),
        ("TEMPORAL_TLS_CLIENT1_CA_CERT", $"{Frontend}:clientCaFiles:0"),
        ("TEMPORAL_TLS_CLIENT2_CA_CERT", $"{Frontend}:clientCaFiles:1"),
        ("TEMPORAL_TLS_CLIENT1_CA_CERT_DATA", $"{Frontend}:clientCaData:0"),
        ("TEMPORAL_TLS_CLIENT2_CA_CERT_DATA", $"{Frontend}:clientCaData:1"),
        ("TEMPORAL_TLS_SERVER_CERT", $"{Internode}:certFile"),
        ("TEMPORAL_TLS_SERVER_KEY", $"{Internode}:keyFile"),
        ("TEMPORAL_TLS_SERVER_CERT_DATA", $"{Internode}:certData"),
        ("TEMPORAL_TLS_SERVER_KEY_DATA", $"{Internode}:keyData"),
        ("TEMPORAL_TLS_SERVER_CA_CERT", $"{Internode}:clientCaFiles:0"),
        ("TEMPORAL_TLS_SERVER_CA_CERT", $"{InternodeClient}:rootCaFiles:0"),
        ("TEMPORAL_TLS_SERVER_CA_CERT_DATA", $"{Internode}:clientCaData:0"),
        ("TEMPORAL_TLS_SERVER_CA_CERT_DATA", $"{InternodeClient}:rootCaData:0"),
        ("TEMPORAL_TLS_INTERNODE_SERVER_NAME", $"{InternodeClient}:serverName"),
        ("TEMPORAL_TLS_INTERNODE_DISABLE_HOST_VERIFICATION", $"{InternodeClient}:disableHostVerification"),
    ];

    /// <summary>Tempora's variables for the listeners Temporal's server does not have.</summary>
    public static readonly (string Variable, string Key)[] TemporaVariables =
    [
        ("TEMPORA_UI_TLS_CERT", $"{Ui}:certFile"),
        ("TEMPORA_UI_TLS_KEY", $"{Ui}:keyFile"),
        ("TEMPORA_UI_TLS_CLIENT_CA", $"{Ui}:clientCaFiles:0"),
        ("TEMPORA_UI_TLS_REQUIRE_CLIENT_AUTH", $"{Ui}:requireClientAuth"),
        ("TEMPORA_METRICS_TLS_CERT", $"{Metrics}:certFile"),
        ("TEMPORA_METRICS_TLS_KEY", $"{Metrics}:keyFile"),
        ("TEMPORA_METRICS_TLS_CLIENT_CA", $"{Metrics}:clientCaFiles:0"),
        ("TEMPORA_METRICS_TLS_REQUIRE_CLIENT_AUTH", $"{Metrics}:requireClientAuth"),
    ];

    private static readonly string[] ServerKeys = ["certFile", "keyFile", "certData", "keyData", "requireClientAuth", "clientCaFiles", "clientCaData"];
    private static readonly string[] ClientKeys = ["serverName", "disableHostVerification", "rootCaFiles", "rootCaData"];

    /// <summary>The TLS options the configuration describes; throws <see cref="ConfigurationException"/> naming a bad key.</summary>
    public static TlsOptions Parse(IConfiguration config)
    {
        RefuseUnknownKeys(config);
        var refresh = config["global:tls:refreshInterval"] is { Length: > 0 } text ? RefreshInterval(text) : TimeSpan.FromMinutes(1);
        var options = new TlsOptions
        {
            RefreshInterval = refresh,
            Frontend = Server(config, Frontend),
            Internode = Server(config, Internode),
            InternodeClient = Client(config, InternodeClient),
            Ui = Server(config, Ui),
            Metrics = Server(config, Metrics),
        };
        if (options.Internode is not null && options.Frontend is null)
        {
            throw new ConfigurationException(
                $"Setting '{Internode}' needs '{Frontend}' too: SDKs and replicas share one gRPC port, which is TLS for both or for neither.");
        }
        return options;
    }

    private static TimeSpan RefreshInterval(string text) => Durations.ParseNanoseconds(text) switch
    {
        0 => TimeSpan.Zero,
        > 0 and var nanos => TimeSpan.FromTicks(nanos / 100),
        _ => throw new ConfigurationException(
            $"Setting 'global:tls:refreshInterval' must be a duration such as 30s or 1m (0s: never re-read), not '{text}'."),
    };

    private static TlsServerSettings? Server(IConfiguration config, string prefix)
    {
        var certificate = Pem(config, prefix, "certFile", "certData");
        var key = Pem(config, prefix, "keyFile", "keyData");
        var cas = Pems(config, prefix, "clientCaFiles", "clientCaData");
        var require = config[$"{prefix}:requireClientAuth"] is { Length: > 0 } flag && ServerConfiguration.ParseSwitch($"{prefix}:requireClientAuth", flag);
        // requireClientAuth alone is off (TEMPORAL_TLS_REQUIRE_CLIENT_AUTH sets it for both groups), and so is an
        // internode CA alone: Temporal's image sets TEMPORAL_TLS_SERVER_CA_CERT for its frontend client's roots too.
        if (certificate is null && key is null && (cas.Count == 0 || prefix == Internode))
        {
            return null;
        }
        if (certificate is null || key is null)
        {
            throw new ConfigurationException(
                $"Setting '{prefix}:{(certificate is null ? "certFile" : "keyFile")}' (or its *Data form) is missing: TLS needs a certificate and its key.");
        }
        if (require && cas.Count == 0)
        {
            throw new ConfigurationException($"Setting '{prefix}:requireClientAuth' is true but '{prefix}:clientCaFiles' names no CA to verify clients against.");
        }
        Validate(() => CertificateSet.Load(certificate, key, cas));
        return new TlsServerSettings(certificate, key, require, cas);
    }

    private static TlsClientSettings? Client(IConfiguration config, string prefix)
    {
        var roots = Pems(config, prefix, "rootCaFiles", "rootCaData");
        var serverName = config[$"{prefix}:serverName"] is { Length: > 0 } name ? name : null;
        var skipName = config[$"{prefix}:disableHostVerification"] is { Length: > 0 } flag
            && ServerConfiguration.ParseSwitch($"{prefix}:disableHostVerification", flag);
        if (roots.Count == 0 && serverName is null && !skipName)
        {
            return null;
        }
        Validate(() => CertificateSet.Load(null, null, roots));
        return new TlsClientSettings(serverName, skipName, roots);
    }

    /// <summary>The file or inline form of one PEM setting; both at once is ambiguous and refused.</summary>
    private static PemSource? Pem(IConfiguration config, string prefix, string fileKey, string dataKey)
    {
        var file = config[$"{prefix}:{fileKey}"] is { Length: > 0 } f ? f : null;
        var data = config[$"{prefix}:{dataKey}"] is { Length: > 0 } d ? d : null;
        if (file is not null && data is not null)
        {
            throw new ConfigurationException($"Settings '{prefix}:{fileKey}' and '{prefix}:{dataKey}' are both set; give one.");
        }
        return file is not null ? PemSource.FromFile($"{prefix}:{fileKey}", Path.GetFullPath(file))
            : data is not null ? PemSource.FromData($"{prefix}:{dataKey}", data)
            : null;
    }

    private static List<PemSource> Pems(IConfiguration config, string prefix, string filesKey, string dataKey)
    {
        var sources = new List<PemSource>();
        foreach (var (key, isFile) in new[] { (filesKey, true), (dataKey, false) })
        {
            var section = config.GetSection($"{prefix}:{key}");
            var entries = section.Value is { Length: > 0 } single
                ? [new KeyValuePair<string, string>(section.Path, single)]
                : section.GetChildren().Where(c => c.Value is { Length: > 0 }).Select(c => new KeyValuePair<string, string>(c.Path, c.Value!));
            foreach (var (path, value) in entries)
            {
                sources.Add(isFile ? PemSource.FromFile(path, Path.GetFullPath(value)) : PemSource.FromData(path, value));
            }
        }
        return sources;
    }

    private static void Validate(Action load)
    {
        try
        {
            load();
        }
        catch (CertificateLoadException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }

    /// <summary>
    /// A TLS key Tempora does not know is refused rather than ignored. Two of Temporal's are accepted: frontend.client
    /// (in-process clients reach the frontend over a private Unix socket, which needs no TLS) and expirationChecks when off.
    /// </summary>
    private static void RefuseUnknownKeys(IConfiguration config)
    {
        foreach (var (root, known) in new (string, Func<string, bool>)[] { ("global:tls", KnownGlobalKey), ("tls", KnownTemporaKey) })
        {
            foreach (var (path, value) in config.GetSection(root).AsEnumerable(makePathsRelative: true))
            {
                if (value is null)
                {
                    continue; // a section, not a leaf
                }
                var parts = path.Split(':').Where(p => !int.TryParse(p, out _)).ToArray();
                var relative = string.Join(':', parts);
                if (relative.StartsWith("expirationChecks:", StringComparison.OrdinalIgnoreCase))
                {
                    if (value.Length > 0 && Durations.ParseNanoseconds(value) != 0)
                    {
                        throw new ConfigurationException(
                            $"Setting '{root}:{path}' is not supported: Tempora does not check certificate expiry; remove it or set it to 0s.");
                    }
                    continue;
                }
                if (!known(relative))
                {
                    throw new ConfigurationException($"Setting '{root}:{path}' is not a TLS setting Tempora knows.");
                }
            }
        }
    }

    private static bool KnownGlobalKey(string key) =>
        key.Equals("refreshInterval", StringComparison.OrdinalIgnoreCase)
        || Within(key, "frontend:server:", ServerKeys) || Within(key, "internode:server:", ServerKeys)
        || Within(key, "internode:client:", ClientKeys) || Within(key, "frontend:client:", ClientKeys);

    private static bool KnownTemporaKey(string key) => Within(key, "ui:", ServerKeys) || Within(key, "metrics:", ServerKeys);

    private static bool Within(string key, string prefix, string[] names) =>
        key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
        && names.Contains(key[prefix.Length..], StringComparer.OrdinalIgnoreCase);
}
