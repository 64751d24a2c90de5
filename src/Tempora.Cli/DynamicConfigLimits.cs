using System.Globalization;
using Microsoft.Extensions.Configuration;
using Tempora.Server;

namespace Tempora.Cli;

/// <summary>
/// The limits a user sets under the names of Temporal's dynamic-config keys: `start-dev --dynamic-config-value
/// limit.blobSize.error=1048576` (the Temporal CLI's flag) or, for `tempora start`, a `dynamicConfig:` section of the
/// config file. Values are byte or key counts, or, for the switches every SDK's dev-server launcher passes, the one
/// value that describes how this server always behaves.
/// </summary>
internal static class DynamicConfigLimits
{
    /// <summary>The config-file section that holds the keys.</summary>
    public const string Section = "dynamicConfig";

    private static readonly Dictionary<string, Func<TemporaOptions, int, TemporaOptions>> Keys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["grpc.maxReceiveMessageSize"] = (o, v) => o with { GrpcMaxReceiveMessageSize = v },
        ["limit.blobSize.error"] = (o, v) => o with { BlobSizeLimitError = v },
        ["limit.memoSize.error"] = (o, v) => o with { MemoSizeLimitError = v },
        ["limit.userMetadataSummarySize"] = (o, v) => o with { UserMetadataSummarySizeLimit = v },
        ["limit.userMetadataDetailsSize"] = (o, v) => o with { UserMetadataDetailsSizeLimit = v },
        ["frontend.searchAttributesNumberOfKeysLimit"] = (o, v) => o with { SearchAttributesNumberOfKeysLimit = v },
        ["frontend.searchAttributesSizeOfValueLimit"] = (o, v) => o with { SearchAttributesSizeOfValueLimit = v },
        ["frontend.searchAttributesTotalSizeLimit"] = (o, v) => o with { SearchAttributesTotalSizeLimit = v },
    };

    /// <summary>Switches of Temporal's that this server honours either way (Temporal's boolean spellings: true/false).</summary>
    private static readonly Dictionary<string, Func<TemporaOptions, bool, TemporaOptions>> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["system.enableEagerWorkflowStart"] = (o, v) => o with { EnableEagerWorkflowStart = v },
    };

    /// <summary>
    /// Switches of Temporal's that sdk-core's ephemeral dev server sets on every start (so every SDK's
    /// <c>createLocal</c>/<c>start_local</c> passes them), and a few more that test harnesses set. Tempora cannot turn these behaviours off or on, so only the
    /// value it always has is accepted; the other is refused naming the key.
    /// </summary>
    private static readonly Dictionary<string, (bool Value, string Why)> FixedSwitches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["frontend.enableServerVersionCheck"] = (false, "this server never calls Temporal's version-check service"),
        ["frontend.enableUpdateWorkflowExecution"] = (true, "workflow updates are always served"),
        ["frontend.enableUpdateWorkflowExecutionAsyncAccepted"] = (true, "updates that wait only for Accepted are always served"),
        // Set by temporalio/features' dev-server configuration (dockerfiles/dynamicconfig/docker.yaml) and its variants.
        ["system.enableActivityEagerExecution"] = (true, "activities a workflow task asks to run eagerly are always handed back"),
        ["frontend.enableCancelWorkerPollsOnShutdown"] = (true, "ShutdownWorker always ends the stopping worker's polls"),
        // Worker versioning (issue 26, docs/worker-versioning.md); 1.28's defaults are the values Tempora always has.
        ["system.enableDeploymentVersions"] = (true, "worker deployments and their versions are always served"),
        ["frontend.workerVersioningWorkflowAPIs"] = (true, "the workflow APIs always take worker versioning"),
        ["system.enableDeployments"] = (false, "the pre-release deployment APIs, deprecated in 1.28, are not served; worker deployments are"),
    };

    /// <summary>The keys this server understands, for help texts and error messages.</summary>
    public static string KnownKeys => string.Join(", ", Keys.Keys.Concat(Switches.Keys).Concat(FixedSwitches.Keys));

    /// <summary>Applies KEY=VALUE pairs (start-dev's flag); throws <see cref="ConfigurationException"/> on a bad one.</summary>
    public static TemporaOptions Apply(TemporaOptions options, IEnumerable<string> pairs)
    {
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                throw new ConfigurationException($"--dynamic-config-value must be KEY=VALUE, not '{pair}'.");
            }
            options = Apply(options, parts[0], parts[1]);
        }
        return options;
    }

    /// <summary>Applies the config file's <see cref="Section"/> section.</summary>
    public static TemporaOptions Apply(TemporaOptions options, IConfiguration config)
    {
        foreach (var entry in config.GetSection(Section).GetChildren())
        {
            options = Apply(options, entry.Key, entry.Value ?? "");
        }
        return options;
    }

    private static TemporaOptions Apply(TemporaOptions options, string key, string value)
    {
        if (FixedSwitches.TryGetValue(key, out var fixedSwitch))
        {
            // Temporal reads these as booleans, case-insensitively (strconv.ParseBool's true/false spellings suffice).
            if (!bool.TryParse(value, out var wanted) || wanted != fixedSwitch.Value)
            {
                var always = fixedSwitch.Value ? "true" : "false";
                throw new ConfigurationException($"Dynamic config key '{key}' can only be {always} on this server ({fixedSwitch.Why}), not '{value}'.");
            }
            return options;
        }
        if (Switches.TryGetValue(key, out var setSwitch))
        {
            return bool.TryParse(value, out var on)
                ? setSwitch(options, on)
                : throw new ConfigurationException($"Dynamic config value of {key} must be true or false, not '{value}'.");
        }
        if (!Keys.TryGetValue(key, out var set))
        {
            throw new ConfigurationException($"Dynamic config key '{key}' is not one this server honours; it knows {KnownKeys}.");
        }
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw new ConfigurationException($"Dynamic config value of {key} must be a whole number from 1 to {int.MaxValue}, not '{value}'.");
        }
        return set(options, number);
    }
}
