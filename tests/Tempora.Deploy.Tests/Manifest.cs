using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tempora.Deploy.Tests;

/// <summary>One Kubernetes document of a YAML stream, as JSON.</summary>
internal sealed record Manifest(JsonObject Json)
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The document as indented JSON, which is also YAML (what the typed loader reads).</summary>
    public string Text => Json.ToJsonString(Indented);

    public string ApiVersion => (string)Json["apiVersion"]!;

    public string Kind => (string)Json["kind"]!;

    public string Name => (string)Json["metadata"]!["name"]!;

    public string? Namespace => (string?)Json["metadata"]?["namespace"];

    public override string ToString() => $"{Kind} {Name}";

    /// <summary>Every document of a YAML stream; a document that is not a map with apiVersion, kind and metadata.name fails.</summary>
    public static List<Manifest> ParseStream(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var manifests = new List<Manifest>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            var json = ToJson(document.RootNode) as JsonObject
                ?? throw new InvalidDataException($"A document is not a map: {document.RootNode}");
            foreach (var field in new[] { "apiVersion", "kind" })
            {
                if (json[field] is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    throw new InvalidDataException($"A document has no {field}: {json.ToJsonString()}");
                }
            }
            if (json["metadata"]?["name"] is not JsonValue)
            {
                throw new InvalidDataException($"A {json["kind"]} has no metadata.name");
            }
            manifests.Add(new Manifest(json));
        }
        return manifests;
    }

    /// <summary>YAML to JSON with the YAML 1.2 core schema: quoted scalars are strings, plain ones may be null, bool or numbers.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"Unsupported YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(text);
        }
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)l) : JsonValue.Create(l),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && text.Any(char.IsDigit) && !text.Contains('_', StringComparison.Ordinal) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}
