using System.Text.Json;
using Google.Protobuf;
using Tempora.History.Execution;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Visibility;

/// <summary>
/// The server-maintained BuildIds search attribute (KeywordList): every completed workflow task adds the build id of the
/// worker that completed it, as Temporal 1.28's addBuildIdToLoadedSearchAttribute does
/// (service/history/workflow/mutable_state_impl.go, common/worker_versioning/worker_versioning.go). An unversioned
/// worker's run holds "unversioned" first, then "unversioned:&lt;build id&gt;" for each build id seen; a worker using the
/// old build-id versioning adds "versioned:&lt;build id&gt;"; a pinned run (worker deployments) has
/// "pinned:&lt;deployment:build id&gt;" first. The "assigned:" entry of the older build-id versioning is not made.
/// </summary>
internal static class BuildIdsSearchAttribute
{
    public const string Name = "BuildIds";

    private const string Unversioned = "unversioned";

    private const string PinnedPrefix = "pinned:";

    /// <summary>Upstream's frontend.searchAttributesSizeOfValueLimit: older entries are dropped to stay under it.</summary>
    private const int MaxValueBytes = 2 * 1024;

    /// <summary>
    /// Adds the build id of <paramref name="stamp"/> (the WorkflowTaskCompleted event's worker version; null when a
    /// start or an override changes the run's versioning) to the run's BuildIds, with the "pinned:&lt;name:build&gt;"
    /// entry first while the run is effectively pinned, and sets the deployment search attributes
    /// (<see cref="VersioningSearchAttributes"/>), as 1.28's updateBuildIdsAndDeploymentSearchAttributes does.
    /// Returns whether any attribute changed.
    /// </summary>
    public static bool Record(MutableState s, WorkerVersionStamp? stamp)
    {
        var existing = Load(s.SearchAttributes);
        var behavior = RunVersioning.BehaviorSearchAttribute(s);
        var values = new List<string>();
        if (stamp is not { UseVersioning: true } && behavior == Temporalio.Api.Enums.V1.VersioningBehavior.Unspecified)
        {
            values.Add(Unversioned);
        }
        if (behavior == Temporalio.Api.Enums.V1.VersioningBehavior.Pinned)
        {
            // What drainage counts: BuildIds = 'pinned:<name:build>' AND ExecutionStatus = 'Running'.
            values.Add(PinnedPrefix + RunVersioning.VersionSearchAttribute(s));
        }
        // An empty build id counts as none: upstream would list "unversioned" twice until the next task.
        var buildId = stamp is not { BuildId.Length: > 0 } ? "" : (stamp.UseVersioning ? "versioned:" : "unversioned:") + stamp.BuildId;
        var found = false;
        foreach (var value in existing)
        {
            found |= value == buildId;
            if (value != Unversioned && !value.StartsWith("assigned:", StringComparison.Ordinal) && !value.StartsWith(PinnedPrefix, StringComparison.Ordinal))
            {
                values.Add(value);
            }
        }
        if (!found && buildId.Length > 0)
        {
            values.Add(buildId);
        }
        var changed = VersioningSearchAttributes.Record(s);
        if (values.SequenceEqual(existing, StringComparer.Ordinal))
        {
            return changed;
        }
        // A new message: the current one may be shared with a written event (history never changes).
        s.SearchAttributes = MapUpserts.Merged(s.SearchAttributes, new SearchAttributes { IndexedFields = { [Name] = Encode(values) } });
        return true;
    }

    private static List<string> Load(SearchAttributes? attributes)
    {
        if (attributes?.IndexedFields.TryGetValue(Name, out var payload) != true || payload!.Data.IsEmpty)
        {
            return [];
        }
        try
        {
            using var doc = JsonDocument.Parse(payload.Data.Memory);
            return doc.RootElement.ValueKind switch
            {
                JsonValueKind.Array => [.. doc.RootElement.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)],
                JsonValueKind.String => [doc.RootElement.GetString()!],
                _ => [],
            };
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The list as a KeywordList payload, dropping the oldest build ids (never the sentinel) past the size limit.</summary>
    private static Payload Encode(List<string> values)
    {
        var keepsSentinel = values.Count > 0 && values[0] == Unversioned;
        while (true)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(values);
            if (values.Count == 0 || json.Length <= MaxValueBytes)
            {
                return new Payload
                {
                    Metadata =
                    {
                        ["encoding"] = ByteString.CopyFromUtf8("json/plain"),
                        ["type"] = ByteString.CopyFromUtf8("KeywordList"),
                    },
                    Data = ByteString.CopyFrom(json),
                };
            }
            values.RemoveAt(values.Count == 1 || !keepsSentinel ? 0 : 1);
        }
    }
}
