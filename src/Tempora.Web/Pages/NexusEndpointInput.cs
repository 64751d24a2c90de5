using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Nexus.V1;
using NexusEndpoint = Temporalio.Api.Nexus.V1.Endpoint;

namespace Tempora.Web.Pages;

/// <summary>
/// What the endpoint form holds: name, description (text), target (a worker's namespace and task queue, or a URL) and,
/// when editing, the version the form was read at. The server checks every field (as Temporal does); the UI only
/// carries them, so its refusals read the same as the CLI's.
/// </summary>
internal sealed record NexusEndpointInput(string Name, string Description, bool External, string Namespace, string TaskQueue, string Url, long Version)
{
    public static NexusEndpointInput Empty { get; } = new("", "", false, "default", "", "", 0);

    public static NexusEndpointInput From(NexusEndpoint endpoint)
    {
        var spec = endpoint.Spec ?? new EndpointSpec();
        var worker = spec.Target?.Worker;
        return new(spec.Name, DescriptionText(spec.Description), spec.Target?.External is not null,
            worker?.Namespace ?? "default", worker?.TaskQueue ?? "", spec.Target?.External?.Url ?? "", endpoint.Version);
    }

    public static NexusEndpointInput From(IFormCollection form) => new(
        form["name"].ToString().Trim(),
        form["description"].ToString(),
        form["target"].ToString() == "external",
        form["namespace"].ToString().Trim(),
        form["task-queue"].ToString().Trim(),
        form["url"].ToString().Trim(),
        long.TryParse(form["version"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0);

    public EndpointSpec ToSpec() => new()
    {
        Name = Name,
        // Written as the CLI's --description and the Temporal UI write it: a json/plain string; none when empty.
        Description = Description.Length == 0 ? null : new Payload
        {
            Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
            Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(Description)),
        },
        Target = External
            ? new EndpointTarget { External = new EndpointTarget.Types.External { Url = Url } }
            : new EndpointTarget { Worker = new EndpointTarget.Types.Worker { Namespace = Namespace, TaskQueue = TaskQueue } },
    };

    /// <summary>
    /// The description as the form's text: a json/plain string as that string. Anything else (another encoding, or
    /// JSON that is not a string) as its raw bytes' text, which saving then writes back as a string.
    /// </summary>
    private static string DescriptionText(Payload? description)
    {
        if (description is null)
        {
            return "";
        }
        var encoding = description.Metadata.TryGetValue("encoding", out var e) ? e.ToStringUtf8() : "";
        if (encoding == "json/plain")
        {
            try
            {
                if (JsonSerializer.Deserialize<JsonElement>(description.Data.Span) is { ValueKind: JsonValueKind.String } text)
                {
                    return text.GetString() ?? "";
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: its bytes below.
            }
        }
        return Encoding.UTF8.GetString(description.Data.Span);
    }
}
