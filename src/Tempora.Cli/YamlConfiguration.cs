using YamlDotNet.RepresentationModel;

namespace Tempora.Cli;

/// <summary>Flattens a YAML document into configuration keys ("postgres:host", "services:0"), as the JSON provider does.</summary>
internal static class YamlConfiguration
{
    public static Dictionary<string, string?> Read(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            try
            {
                stream.Load(reader);
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new ConfigurationException($"{path}: {e.Message}");
            }
        }
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count > 0)
        {
            Flatten(stream.Documents[0].RootNode, "", values);
        }
        return values;
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string?> values)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, child) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    Flatten(child, prefix.Length == 0 ? name : $"{prefix}:{name}", values);
                }
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++)
                {
                    Flatten(list.Children[i], $"{prefix}:{i}", values);
                }
                break;
            case YamlScalarNode scalar:
                values[prefix] = scalar.Value;
                break;
        }
    }
}
