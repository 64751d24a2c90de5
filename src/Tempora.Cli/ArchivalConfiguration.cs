using System.Collections;
using Microsoft.Extensions.Configuration;
using Tempora.Archival;
using Tempora.Core.Errors;

namespace Tempora.Cli;

/// <summary>
/// Temporal's archival settings, under the same keys as its config files: <c>archival:{history,visibility}:</c>
/// <c>state</c>, <c>enableRead</c>, <c>provider:filestore:{fileMode,dirMode}</c>, <c>provider:s3store:{region,endpoint,s3ForcePathStyle}</c>,
/// and <c>namespaceDefaults:archival:{history,visibility}:{state,URI}</c>. S3 credentials are the AWS SDK's
/// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), never a setting here.
/// </summary>
internal static class ArchivalConfiguration
{
    public static ArchivalSettings Parse(IConfiguration config) => new()
    {
        History = Kind(config, "history"),
        Visibility = Kind(config, "visibility"),
    };

    /// <summary>
    /// start-dev: both kinds enabled with both providers and reads on, no namespace archiving by default, so a namespace
    /// opts in with a URI. S3 is reached at AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL when set (MinIO, say), path-style.
    /// </summary>
    public static ArchivalSettings DevServer(IDictionary environment)
    {
        var endpoint = environment["AWS_ENDPOINT_URL_S3"] as string is { Length: > 0 } s3 ? s3 : environment["AWS_ENDPOINT_URL"] as string;
        var region = environment["AWS_REGION"] as string is { Length: > 0 } r ? r : "us-east-1";
        var kind = ArchivalKindSettings.AllProvidersEnabled with { S3Store = new S3StoreSettings(region, endpoint is { Length: > 0 } ? endpoint : null, true) };
        return new ArchivalSettings { History = kind, Visibility = kind };
    }

    private static ArchivalKindSettings Kind(IConfiguration config, string kind)
    {
        var prefix = $"archival:{kind}";
        var enabled = State(config, $"{prefix}:state");
        var provider = config.GetSection($"{prefix}:provider");
        var fileStore = provider.GetSection("filestore").Exists()
            ? new FileStoreSettings(Mode(config, $"{prefix}:provider:filestore:fileMode", FileStoreSettings.DefaultFileMode),
                Mode(config, $"{prefix}:provider:filestore:dirMode", FileStoreSettings.DefaultDirMode))
            : null;
        var s3Store = provider.GetSection("s3store").Exists()
            ? new S3StoreSettings(config[$"{prefix}:provider:s3store:region"], Endpoint(config, $"{prefix}:provider:s3store:endpoint"),
                ServerConfiguration.ParseSwitchOf(config, $"{prefix}:provider:s3store:s3ForcePathStyle", false))
            : null;
        if (s3Store is { Region: null or "" })
        {
            throw new ConfigurationException($"Setting '{prefix}:provider:s3store:region' is required (the S3 region, e.g. us-east-1; any for MinIO).");
        }
        var defaults = $"namespaceDefaults:archival:{kind}";
        var defaultUri = config[$"{defaults}:URI"] is { Length: > 0 } uri ? uri : null;
        var settings = new ArchivalKindSettings
        {
            Enabled = enabled,
            EnableRead = ServerConfiguration.ParseSwitchOf(config, $"{prefix}:enableRead", false),
            FileStore = fileStore,
            S3Store = s3Store,
            NamespaceDefaultEnabled = State(config, $"{defaults}:state"),
            NamespaceDefaultUri = defaultUri,
        };
        if (enabled && fileStore is null && s3Store is null)
        {
            throw new ConfigurationException($"Setting '{prefix}:state' is enabled but no provider is configured: set '{prefix}:provider:filestore' or '{prefix}:provider:s3store'.");
        }
        if (defaultUri is not null)
        {
            try
            {
                var parsed = ArchivalUri.Parse(defaultUri, $"{defaults}:URI");
                if (enabled && settings.MissingProvider(parsed.Scheme, kind) is { } missing)
                {
                    throw new ConfigurationException($"Setting '{defaults}:URI' is a {parsed.Scheme} URI but '{missing}' is not configured.");
                }
            }
            catch (InvalidArgumentException e)
            {
                throw new ConfigurationException($"Setting '{defaults}:URI': {e.Message}");
            }
        }
        if (settings.NamespaceDefaultEnabled && enabled && defaultUri is null)
        {
            throw new ConfigurationException($"Setting '{defaults}:state' is enabled but '{defaults}:URI' is not set.");
        }
        return settings;
    }

    private static bool State(IConfiguration config, string key) => config[key]?.ToLowerInvariant() switch
    {
        null or "" or "disabled" => false,
        "enabled" => true,
        var other => throw new ConfigurationException($"Setting '{key}' must be enabled or disabled, not '{other}'."),
    };

    private static UnixFileMode Mode(IConfiguration config, string key, UnixFileMode defaultValue)
    {
        var text = config[key];
        if (text is null)
        {
            return defaultValue;
        }
        try
        {
            var mode = Convert.ToInt32(text.Trim(), 8);
            if (mode is >= 0 and <= 511)
            {
                return (UnixFileMode)mode;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
        }
        throw new ConfigurationException($"Setting '{key}' must be an octal file mode such as 0666, not '{text}'.");
    }

    private static string? Endpoint(IConfiguration config, string key)
    {
        var text = config[key];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigurationException($"Setting '{key}' must be an http(s) URL such as http://minio:9000, not '{text}'.");
        }
        return text;
    }
}
