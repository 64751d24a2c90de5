namespace Tempora.Visibility.Query;

/// <summary>The value type of a search attribute (Temporal's IndexedValueType without the prefix).</summary>
public enum SearchAttributeType
{
    Keyword,
    Text,
    Int,
    Double,
    Bool,
    Datetime,
    KeywordList,
}
