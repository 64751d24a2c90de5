using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tempora.Deploy.Tests.Helm;

/// <summary>
/// A Helm chart directory rendered the way `helm template` renders it: values.yaml merged with overrides, the
/// templates under templates/ (files starting with '_' only define partials; NOTES.txt is not a manifest), each
/// rendered with .Values, .Chart, .Release, documents that render empty dropped. Only the template subset of
/// <see cref="TemplateParser"/> is supported.
/// </summary>
internal sealed class HelmChart
{
    private readonly string _directory;
    private readonly Dictionary<string, object?> _chart;

    public HelmChart(string directory)
    {
        _directory = directory;
        var metadata = (Dictionary<string, object?>)ReadYaml(File.ReadAllText(Path.Combine(directory, "Chart.yaml")))!;
        // Helm exposes Chart.yaml's fields with capitalised names (.Chart.Name, .Chart.AppVersion).
        _chart = metadata.ToDictionary(p => char.ToUpperInvariant(p.Key[0]) + p.Key[1..], p => p.Value, StringComparer.Ordinal);
    }

    public string Name => (string)_chart["Name"]!;

    /// <summary>values.yaml as Helm reads it.</summary>
    public Dictionary<string, object?> DefaultValues() =>
        (Dictionary<string, object?>)ReadYaml(File.ReadAllText(Path.Combine(_directory, "values.yaml")))!;

    /// <summary>
    /// The rendered manifests, one YAML stream with a "# Source:" comment per document, as `helm template` prints them.
    /// <paramref name="cluster"/> holds the objects <c>lookup</c> finds ("apiVersion/kind/namespace/name"), as
    /// `helm upgrade` would in a cluster; by default none, as `helm template` sees.
    /// </summary>
    public string Render(string releaseName, string releaseNamespace, Dictionary<string, object?>? overrides = null,
        IReadOnlyDictionary<string, Dictionary<string, object?>>? cluster = null) =>
        Render(releaseName, releaseNamespace, overrides, cluster, notes: false);

    /// <summary>templates/NOTES.txt as `helm install` prints it after installing.</summary>
    public string RenderNotes(string releaseName, string releaseNamespace, Dictionary<string, object?>? overrides = null) =>
        Render(releaseName, releaseNamespace, overrides, cluster: null, notes: true);

    private string Render(string releaseName, string releaseNamespace, Dictionary<string, object?>? overrides,
        IReadOnlyDictionary<string, Dictionary<string, object?>>? cluster, bool notes)
    {
        var values = DefaultValues();
        if (overrides is not null)
        {
            Merge(values, overrides);
        }
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Values"] = values,
            ["Chart"] = _chart,
            ["Release"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Name"] = releaseName,
                ["Namespace"] = releaseNamespace,
                ["Service"] = "Helm",
                ["IsInstall"] = true,
                ["IsUpgrade"] = false,
            },
        };

        var templates = Directory.GetFiles(Path.Combine(_directory, "templates"))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        var defines = new Dictionary<string, IReadOnlyList<TemplateNode>>(StringComparer.Ordinal);
        var parsed = new List<(string File, IReadOnlyList<TemplateNode> Nodes)>();
        foreach (var file in templates)
        {
            var nodes = TemplateParser.Parse(File.ReadAllText(file), defines);
            parsed.Add((Path.GetFileName(file), nodes));
        }

        var evaluator = new TemplateEvaluator(defines, cluster);
        if (notes)
        {
            return evaluator.Render(parsed.Single(p => p.File == "NOTES.txt").Nodes, data);
        }
        var output = new StringBuilder();
        foreach (var (file, nodes) in parsed)
        {
            if (file.StartsWith('_') || file == "NOTES.txt" || !(file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal)))
            {
                continue;
            }
            var text = evaluator.Render(nodes, data);
            foreach (var document in SplitDocuments(text))
            {
                output.Append("---\n# Source: ").Append(Name).Append("/templates/").Append(file).Append('\n').Append(document).Append('\n');
            }
        }
        return output.ToString();
    }

    /// <summary>The non-empty documents of a rendered file (Helm drops documents holding only whitespace and comments).</summary>
    private static IEnumerable<string> SplitDocuments(string text)
    {
        var current = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimEnd() == "---")
            {
                if (HasContent(current))
                {
                    yield return current.ToString().TrimEnd('\n', ' ');
                }
                current.Clear();
                continue;
            }
            current.Append(line).Append('\n');
        }
        if (HasContent(current))
        {
            yield return current.ToString().TrimEnd('\n', ' ');
        }
    }

    private static bool HasContent(StringBuilder document) =>
        document.ToString().Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));

    /// <summary>Helm's coalescing of user values into the defaults: maps merge key by key, anything else replaces; null deletes.</summary>
    public static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is Dictionary<string, object?> map && target.GetValueOrDefault(key) is Dictionary<string, object?> existing)
            {
                Merge(existing, map);
            }
            else
            {
                target[key] = value;
            }
        }
    }

    /// <summary>YAML as Helm sees it after its JSON round trip: maps, lists, strings, booleans, null and float64 numbers.</summary>
    public static object? ReadYaml(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    public static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => Convert(p.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }
        // YAML 1.2 core schema plus the YAML 1.1 booleans that Go's yaml library still reads.
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "on" or "On":
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "off" or "Off":
                return false;
        }
        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            ? number
            : text;
    }
}
