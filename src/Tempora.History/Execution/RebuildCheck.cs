using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Execution;

/// <summary>
/// Compares what two states say about a run's history: the stored state and the one rebuilt from stored events. Only
/// the members history decides are compared; identity and bookkeeping (attempts in flight, heartbeats, stickiness,
/// task ids, an operator's pause and activity options) are left out, and so are the schedule times of pending
/// activities, which a reset moves to the time of the reset as Temporal does (no event records that).
/// </summary>
internal static class RebuildCheck
{
    private const int MaxValueLength = 300;

    /// <summary>The first member that differs, as "Path: stored …, rebuilt …"; null when the two agree.</summary>
    public static string? FirstDifference(MutableState stored, MutableState rebuilt) =>
        Diff("", JsonSerializer.SerializeToNode(View(stored)), JsonSerializer.SerializeToNode(View(rebuilt)));

    private static object View(MutableState s) => new
    {
        s.FirstExecutionRunId,
        s.WorkflowType,
        s.TaskQueue,
        s.ExecutionTime,
        s.CloseTime,
        s.Status,
        s.NextEventId,
        s.HistorySizeBytes,
        s.LastCompletedWorkflowTaskStartedEventId,
        s.ExecutionTimeout,
        s.RunTimeout,
        s.WorkflowTaskTimeout,
        s.ExecutionExpirationTime,
        Memo = Fields(s.Memo?.Fields),
        SearchAttributes = Fields(s.SearchAttributes?.IndexedFields),
        Priority = Bytes(s.Priority),
        UserMetadata = Bytes(s.UserMetadata),
        s.CancelRequested,
        s.SignalCount,
        SignalRequestIds = s.SignalRequestIds.Order(StringComparer.Ordinal).ToList(),
        s.Attempt,
        RetryPolicy = Bytes(s.RetryPolicy),
        s.CronSchedule,
        StartedAttributes = Bytes(s.StartedAttributes),
        Parent = s.Parent is { } p ? new { p.NamespaceId, p.Namespace, p.WorkflowId, p.RunId, p.InitiatedEventId } : null,
        Root = Bytes(s.Root),
        // A transient or speculative task exists only in memory until it completes (§3.4): nothing to rebuild.
        WorkflowTask = s.WorkflowTask is { IsVirtual: false } w ? new { w.ScheduledEventId, w.StartedEventId, w.Attempt } : null,
        // Options an operator changed are bookkeeping; the event's stay in OriginalOptions, and those are compared.
        Activities = s.Activities.OrderBy(a => a.Key).ToDictionary(a => a.Key.ToString(), a => (object)new
        {
            a.Value.ActivityId,
            a.Value.ActivityType,
            Input = Bytes(a.Value.Input),
            Header = Bytes(a.Value.Header),
            Priority = Bytes(a.Value.Priority),
            Options = Bytes(a.Value.OriginalOptions ?? Transition.OptionsOf(a.Value)),
            a.Value.CancelRequested,
            a.Value.CancelRequestedEventId,
        }),
        Timers = s.Timers.OrderBy(t => t.Key, StringComparer.Ordinal).ToDictionary(t => t.Key, t => (object)new
        {
            t.Value.StartedEventId,
            t.Value.ExpiryTime,
        }),
        Children = s.Children.OrderBy(c => c.Key).ToDictionary(c => c.Key.ToString(), c => (object)new
        {
            Initiated = Bytes(c.Value.Initiated),
            UserMetadata = Bytes(c.Value.UserMetadata),
            c.Value.OriginRunId,
            c.Value.Started,
            c.Value.RunId,
            c.Value.NamespaceId,
            c.Value.StartedEventId,
        }),
        ExternalRequests = s.ExternalRequests.OrderBy(r => r.Key).ToDictionary(r => r.Key.ToString(), r => (object)new
        {
            r.Value.RequestId,
            Initiated = Bytes(r.Value.Initiated),
        }),
        // A Nexus operation's attempts, backoff and cancel requests are bookkeeping; what its events say is compared.
        NexusOperations = s.NexusOperations.OrderBy(o => o.Key).ToDictionary(o => o.Key.ToString(), o => (object)new
        {
            o.Value.Endpoint,
            o.Value.EndpointId,
            o.Value.Service,
            o.Value.Operation,
            Input = Bytes(o.Value.Input),
            Header = new SortedDictionary<string, string>(o.Value.Header, StringComparer.Ordinal),
            o.Value.ScheduleToCloseTimeout,
            o.Value.ScheduleToStartTimeout,
            o.Value.StartToCloseTimeout,
            o.Value.RequestId,
            o.Value.IsStarted,
            o.Value.StartedEventId,
            o.Value.OperationToken,
            o.Value.CancelRequestedEventId,
        }),
        VersioningInfo = Bytes(s.VersioningInfo),
        AutoResetPoints = Bytes(s.AutoResetPoints),
        s.WorkerDeploymentName,
        CompletionCallbacks = s.CompletionCallbacks.Select(c => Bytes(c)).ToList(),
        Updates = s.Updates.OrderBy(u => u.Key, StringComparer.Ordinal).ToDictionary(u => u.Key, u => (object)new
        {
            u.Value.AdmittedEventId,
            u.Value.AcceptedEventId,
            u.Value.CompletedEventId,
        }),
    };

    private static string? Bytes(IMessage? message) => message is null ? null : Convert.ToBase64String(message.ToByteArray());

    /// <summary>Map entries by name: the order of upserts does not matter, their outcome does.</summary>
    private static SortedDictionary<string, string?>? Fields(Google.Protobuf.Collections.MapField<string, Payload>? fields) =>
        fields is null ? null : new SortedDictionary<string, string?>(fields.ToDictionary(f => f.Key, f => Bytes(f.Value)), StringComparer.Ordinal);

    private static string? Diff(string path, JsonNode? stored, JsonNode? rebuilt)
    {
        if (stored is JsonObject a && rebuilt is JsonObject b)
        {
            foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            {
                if (Diff(path.Length == 0 ? name : $"{path}.{name}", a[name], b[name]) is { } found)
                {
                    return found;
                }
            }
            return null;
        }
        if (stored is JsonArray x && rebuilt is JsonArray y)
        {
            for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
            {
                if (Diff($"{path}[{i}]", i < x.Count ? x[i] : null, i < y.Count ? y[i] : null) is { } found)
                {
                    return found;
                }
            }
            return null;
        }
        var left = stored?.ToJsonString() ?? "null";
        var right = rebuilt?.ToJsonString() ?? "null";
        return left == right ? null : $"{path}: stored {Shorten(left)}, rebuilt {Shorten(right)}";
    }

    private static string Shorten(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…";
}
