using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Validation;
using Temporalio.Api.Activity.V1;

namespace Tempora.History.Api;

/// <summary>
/// UpdateActivityOptions' field mask applied to an activity's options, as Temporal 1.28 reads it
/// (service/history/api/updateactivityoptions): paths in snake_case or camelCase, the options 1.28's ActivityOptions
/// carries, then the result validated as a ScheduleActivityTask command's would be.
/// </summary>
internal static class ActivityOptionsMerge
{
    /// <summary>The paths 1.28 applies, in its camelCase form, and what each sets.</summary>
    private static readonly Dictionary<string, Action<ActivityOptions, ActivityOptions>> Setters = new(StringComparer.Ordinal)
    {
        ["taskQueue.name"] = (into, from) => into.TaskQueue.Name = (from.TaskQueue ?? throw new InvalidArgumentException("TaskQueue is not provided")).Name,
        // What `temporal activity update-options --task-queue` (CLI 1.4) sends; 1.28 ignores it, the CLI means the queue.
        ["taskQueueName"] = (into, from) => into.TaskQueue.Name = (from.TaskQueue ?? throw new InvalidArgumentException("TaskQueue is not provided")).Name,
        ["scheduleToCloseTimeout"] = (into, from) => into.ScheduleToCloseTimeout = from.ScheduleToCloseTimeout,
        ["scheduleToStartTimeout"] = (into, from) => into.ScheduleToStartTimeout = from.ScheduleToStartTimeout,
        ["startToCloseTimeout"] = (into, from) => into.StartToCloseTimeout = from.StartToCloseTimeout,
        ["heartbeatTimeout"] = (into, from) => into.HeartbeatTimeout = from.HeartbeatTimeout,
        ["retryPolicy.initialInterval"] = (into, from) => into.RetryPolicy.InitialInterval = RetryPolicyOf(from).InitialInterval,
        ["retryPolicy.backoffCoefficient"] = (into, from) => into.RetryPolicy.BackoffCoefficient = RetryPolicyOf(from).BackoffCoefficient,
        ["retryPolicy.maximumInterval"] = (into, from) => into.RetryPolicy.MaximumInterval = RetryPolicyOf(from).MaximumInterval,
        ["retryPolicy.maximumAttempts"] = (into, from) => into.RetryPolicy.MaximumAttempts = RetryPolicyOf(from).MaximumAttempts,
    };

    /// <summary>
    /// The mask's paths in Temporal's camelCase form. A path 1.28 would ignore is refused naming it (this server never
    /// drops part of a request silently); <c>priority</c> and <c>start_delay</c>, which 1.28 does not know, are refused
    /// as Unimplemented before this (UnsupportedFields).
    /// </summary>
    public static List<string> Paths(FieldMask mask)
    {
        var paths = new List<string>();
        foreach (var path in mask.Paths)
        {
            var camel = ToCamel(path);
            if (!Setters.ContainsKey(camel))
            {
                throw new InvalidArgumentException(
                    $"UpdateActivityOptionsRequest.update_mask: path \"{path}\" names no activity option this server can update.");
            }
            paths.Add(camel);
        }
        return paths;
    }

    /// <summary>The activity's options with the masked ones taken from <paramref name="from"/>, validated.</summary>
    public static ActivityOptions Merge(ActivityInfo a, ActivityOptions from, IReadOnlyList<string> paths)
    {
        var merged = Transition.OptionsOf(a);
        foreach (var path in paths)
        {
            Setters[path](merged, from);
        }
        return Validate(a, merged);
    }

    private static ActivityOptions Validate(ActivityInfo a, ActivityOptions o)
    {
        var ids = $"ActivityId={a.ActivityId} ActivityType={a.ActivityType}";
        if (string.IsNullOrEmpty(o.TaskQueue.Name))
        {
            throw new InvalidArgumentException($"invalid TaskQueue on ScheduleActivityTaskCommand: missing task queue name. {ids}");
        }
        try
        {
            TaskQueueNames.CheckCommandQueue(o.TaskQueue.Name);
        }
        catch (InvalidArgumentException e)
        {
            throw new InvalidArgumentException($"invalid TaskQueue on ScheduleActivityTaskCommand: {e.Message} {ids}");
        }
        try
        {
            o.RetryPolicy = RetryPolicies.WithDefaults(o.RetryPolicy);
        }
        catch (InvalidArgumentException e)
        {
            throw new InvalidArgumentException($"invalid ActivityRetryPolicy on SechduleActivityTaskCommand: {e.Message} {ids}");
        }
        var timeouts = ActivityTimeouts.Normalize(D(o.ScheduleToCloseTimeout), D(o.ScheduleToStartTimeout), D(o.StartToCloseTimeout),
            D(o.HeartbeatTimeout), runTimeout: null)
            ?? throw new InvalidArgumentException($"A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand. {ids}");
        o.ScheduleToCloseTimeout = Duration.FromTimeSpan(timeouts.ScheduleToClose);
        o.ScheduleToStartTimeout = Duration.FromTimeSpan(timeouts.ScheduleToStart);
        o.StartToCloseTimeout = Duration.FromTimeSpan(timeouts.StartToClose);
        o.HeartbeatTimeout = Duration.FromTimeSpan(timeouts.Heartbeat);
        return o;
    }

    private static TimeSpan D(Duration? d) => d?.ToTimeSpan() ?? TimeSpan.Zero;

    private static Temporalio.Api.Common.V1.RetryPolicy RetryPolicyOf(ActivityOptions from) =>
        from.RetryPolicy ?? throw new InvalidArgumentException("RetryPolicy is not provided");

    /// <summary>Temporal's ConvertPathToCamel: "retry_policy.initial_interval" → "retryPolicy.initialInterval".</summary>
    private static string ToCamel(string path) => string.Join('.', path.Split('.').Select(part =>
    {
        var words = part.Split('_');
        for (var j = 0; j < words.Length; j++)
        {
            if (words[j].Length == 0)
            {
                continue;
            }
            words[j] = words.Length > 1 && j > 0
                ? char.ToUpperInvariant(words[j][0]) + words[j][1..].ToLowerInvariant()
                : char.ToLowerInvariant(words[j][0]) + words[j][1..];
        }
        return string.Concat(words);
    }));
}
