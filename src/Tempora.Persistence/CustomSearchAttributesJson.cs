using System.Text.Json;
using Tempora.Visibility.Query;

namespace Tempora.Persistence;

/// <summary>The namespaces table's custom_search_attributes column: a JSON object of name → type name.</summary>
public static class CustomSearchAttributesJson
{
    public static string Format(IReadOnlyDictionary<string, SearchAttributeType> attributes) =>
        JsonSerializer.Serialize(attributes.ToDictionary(a => a.Key, a => a.Value.ToString(), StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, SearchAttributeType> Parse(string json) =>
        (JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
            .ToDictionary(a => a.Key, a => Enum.Parse<SearchAttributeType>(a.Value), StringComparer.Ordinal);
}
