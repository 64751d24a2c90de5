using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using k8s;
using k8s.Models;

namespace Tempora.Deploy.Tests;

/// <summary>
/// Checks manifests offline, as closely as an API server would without a cluster: built-in kinds through the
/// KubernetesClient typed models with strict loading (an unknown or misspelt field fails), custom resources against
/// the openAPIV3Schema of their CRD (shared/k8s-schemas) with every object closed the way the API server prunes
/// unknown fields. Not covered: CEL rules (x-kubernetes-validations), defaults, admission webhooks.
/// </summary>
internal static class ManifestValidator
{
    /// <summary>The built-in kinds our manifests and chart use, keyed as the typed loader keys them (apiVersion/kind).</summary>
    private static readonly Dictionary<string, Type> BuiltInKinds = new(StringComparer.Ordinal)
    {
        ["v1/Namespace"] = typeof(V1Namespace),
        ["v1/Secret"] = typeof(V1Secret),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["v1/Service"] = typeof(V1Service),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["batch/v1/Job"] = typeof(V1Job),
        ["networking.k8s.io/v1/Ingress"] = typeof(V1Ingress),
    };

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>Validates one manifest; the returned list names every problem (empty when valid).</summary>
    public static List<string> Validate(Manifest manifest)
    {
        var key = $"{manifest.ApiVersion}/{manifest.Kind}";
        if (BuiltInKinds.ContainsKey(key))
        {
            return ValidateTyped(manifest);
        }
        return ValidateCustom(manifest);
    }

    /// <summary>The typed object of a built-in kind, loaded strictly.</summary>
    public static T LoadTyped<T>(Manifest manifest)
    {
        var objects = KubernetesYaml.LoadAllFromString(manifest.Text, BuiltInKinds, strict: true);
        return (T)Assert.Single(objects);
    }

    private static List<string> ValidateTyped(Manifest manifest)
    {
        try
        {
            var objects = KubernetesYaml.LoadAllFromString(manifest.Text, BuiltInKinds, strict: true);
            var typed = Assert.Single(objects);
            var problems = new List<string>();
            if (typed is V1Deployment { Spec.Template.Spec.Containers.Count: 0 } or V1Job { Spec.Template.Spec.Containers.Count: 0 })
            {
                problems.Add($"{manifest}: no containers");
            }
            return problems;
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or JsonException)
        {
            return [$"{manifest}: {e.Message}{(e.InnerException is { } inner ? " (" + inner.Message + ")" : "")}"];
        }
    }

    /// <summary>Whether shared/k8s-schemas holds the CRD schema of a custom resource's kind.</summary>
    public static bool HasSchema(Manifest manifest) =>
        SchemaFile(manifest) is { } file && File.Exists(Path.Combine(RepoPaths.Schemas, file));

    private static string? SchemaFile(Manifest manifest)
    {
        var slash = manifest.ApiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : $"{manifest.ApiVersion[..slash]}_{manifest.ApiVersion[(slash + 1)..]}_{manifest.Kind.ToLowerInvariant()}.json";
    }

    private static List<string> ValidateCustom(Manifest manifest)
    {
        if (SchemaFile(manifest) is not { } file)
        {
            return [$"{manifest}: {manifest.ApiVersion}/{manifest.Kind} is neither a known built-in kind nor a custom resource"];
        }
        var path = Path.Combine(RepoPaths.Schemas, file);
        if (!File.Exists(path))
        {
            return [$"{manifest}: no schema {file} in {RepoPaths.Schemas}"];
        }
        var schema = Schemas.GetOrAdd(path, Load);
        // metadata is `type: object` in CRD schemas; the API server checks it itself, so check the name here.
        var problems = new List<string>();
        if (manifest.Json["metadata"]?["name"] is not JsonValue name || !IsDnsSubdomain(name.GetValue<string>()))
        {
            problems.Add($"{manifest}: metadata.name is not a DNS subdomain");
        }
        using var document = JsonDocument.Parse(manifest.Json.ToJsonString());
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            foreach (var detail in result.Details ?? [])
            {
                foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
                {
                    problems.Add($"{manifest}: {detail.InstanceLocation} {keyword}: {message}");
                }
            }
            if (problems.Count == 0)
            {
                problems.Add($"{manifest}: does not match {file}");
            }
        }
        return problems;
    }

    private static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsLetterOrDigit(name[0]) && char.IsLetterOrDigit(name[^1]);

    /// <summary>
    /// Loads a CRD schema and closes its objects: each object schema with properties, without additionalProperties and
    /// without x-kubernetes-preserve-unknown-fields gets additionalProperties: false (shared/k8s-schemas/README.md, point 3).
    /// The x-kubernetes-* keywords are then dropped: JsonSchema.Net 8 refuses unknown keywords, and the ones left
    /// (list types, map types, int-or-string, CEL rules) are what this check does not cover.
    /// </summary>
    private static JsonSchema Load(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        Close(node);
        // A base URI per file: the registry of JsonSchema.Net is keyed by it, and the files carry no $id.
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return JsonSchema.FromText(node.ToJsonString(), options, new Uri($"https://tempora.invalid/schemas/{Path.GetFileName(path)}"));
    }

    private static void Close(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["properties"] is JsonObject
                    && !obj.ContainsKey("additionalProperties")
                    && obj["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true)
                {
                    obj["additionalProperties"] = false;
                }
                foreach (var (key, child) in obj.ToList())
                {
                    if (key.StartsWith("x-kubernetes-", StringComparison.Ordinal))
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        Close(child);
                    }
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Close(child);
                }
                break;
        }
    }
}
