using System.Text.Json;
using Google.Protobuf;
using Tempora.History.Execution;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace Tempora.History.Visibility;

/// <summary>
/// The server-maintained deployment search attributes of a versioned run, as 1.28's saveDeploymentSearchAttributes
/// keeps them: TemporalWorkerDeployment (the pinned override's deployment, else the last completing worker's),
/// TemporalWorkerDeploymentVersion (<c>name:build</c>) and TemporalWorkflowVersioningBehavior (<c>Pinned</c> /
/// <c>AutoUpgrade</c>). All three are written together when any differs; a run that never used versioning has none.
/// </summary>
internal static class VersioningSearchAttributes
{
    public const string Deployment = "TemporalWorkerDeployment";
    public const string Version = "TemporalWorkerDeploymentVersion";
    public const string Behavior = "TemporalWorkflowVersioningBehavior";

    /// <summary>Brings the three attributes in line with the run's versioning; returns whether they changed.</summary>
    public static bool Record(MutableState s)
    {
        var deployment = RunVersioning.DeploymentSearchAttribute(s);
        var version = RunVersioning.VersionSearchAttribute(s);
        var behavior = RunVersioning.BehaviorSearchAttribute(s) switch
        {
            VersioningBehavior.Pinned => "Pinned",
            VersioningBehavior.AutoUpgrade => "AutoUpgrade",
            _ => "",
        };
        if (Load(s, Deployment) == deployment && Load(s, Version) == version && Load(s, Behavior) == behavior)
        {
            return false;
        }
        s.SearchAttributes = MapUpserts.Merged(s.SearchAttributes, new SearchAttributes
        {
            IndexedFields = { [Deployment] = Encode(deployment), [Version] = Encode(version), [Behavior] = Encode(behavior) },
        });
        return true;
    }

    /// <summary>The stored keyword, "" when absent (as 1.28 loads it).</summary>
    private static string Load(MutableState s, string name)
    {
        if (s.SearchAttributes?.IndexedFields.TryGetValue(name, out var payload) != true || payload!.Data.IsEmpty)
        {
            return "";
        }
        try
        {
            using var doc = JsonDocument.Parse(payload.Data.Memory);
            return doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString()! : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static Payload Encode(string value) => new()
    {
        Metadata =
        {
            ["encoding"] = ByteString.CopyFromUtf8("json/plain"),
            ["type"] = ByteString.CopyFromUtf8("Keyword"),
        },
        Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(value)),
    };
}
