using Tempora.Core.Errors;
using Tempora.Visibility.Query;
using Temporalio.Api.Enums.V1;

namespace Tempora.Frontend;

/// <summary>Search attribute types as the API names them (IndexedValueType) and as the server keeps them.</summary>
internal static class IndexedValueTypes
{
    public static IndexedValueType ToIndexed(SearchAttributeType type) => type switch
    {
        SearchAttributeType.Text => IndexedValueType.Text,
        SearchAttributeType.Keyword => IndexedValueType.Keyword,
        SearchAttributeType.Int => IndexedValueType.Int,
        SearchAttributeType.Double => IndexedValueType.Double,
        SearchAttributeType.Bool => IndexedValueType.Bool,
        SearchAttributeType.Datetime => IndexedValueType.Datetime,
        _ => IndexedValueType.KeywordList,
    };

    public static SearchAttributeType FromIndexed(IndexedValueType type) => type switch
    {
        IndexedValueType.Text => SearchAttributeType.Text,
        IndexedValueType.Keyword => SearchAttributeType.Keyword,
        IndexedValueType.Int => SearchAttributeType.Int,
        IndexedValueType.Double => SearchAttributeType.Double,
        IndexedValueType.Bool => SearchAttributeType.Bool,
        IndexedValueType.Datetime => SearchAttributeType.Datetime,
        IndexedValueType.KeywordList => SearchAttributeType.KeywordList,
        _ => throw new InvalidArgumentException($"Unable to read search attribute type: {type}."),
    };
}
