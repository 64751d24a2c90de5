using System.Globalization;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The worker options every test uses: the SDK's own, plus one switch. Because this type lives in the tests'
/// namespace, `new TemporalWorkerOptions(taskQueue)` in any test resolves here. Setting
/// TEMPORA_TEST_MAX_CACHED_WORKFLOWS=0 runs the whole suite with the worker's workflow cache off, so every workflow
/// task replays full history (scripts/test.sh does a second pass that way). A test that sets MaxCachedWorkflows in
/// its initializer keeps its own value.
/// </summary>
public sealed class TemporalWorkerOptions : Temporalio.Worker.TemporalWorkerOptions
{
    public const string MaxCachedWorkflowsVariable = "TEMPORA_TEST_MAX_CACHED_WORKFLOWS";

    public TemporalWorkerOptions(string taskQueue)
        : base(taskQueue)
    {
        if (Environment.GetEnvironmentVariable(MaxCachedWorkflowsVariable) is { Length: > 0 } value)
        {
            MaxCachedWorkflows = int.Parse(value, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>True when this run of the suite has the worker cache switched off.</summary>
    public static bool CacheDisabled => Environment.GetEnvironmentVariable(MaxCachedWorkflowsVariable) == "0";
}
