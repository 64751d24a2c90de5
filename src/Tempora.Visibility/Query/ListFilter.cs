namespace Tempora.Visibility.Query;

/// <summary>
/// Temporal's visibility list filter (temporal-compat.md §9), parsed and checked into a <see cref="VisibilityQuery"/>
/// that each store compiles into its own SQL. The grammar is in <see cref="Parser"/>: AND, OR, NOT, parentheses; = != (or &lt;&gt;)
/// &lt; &gt; &lt;= &gt;=, [NOT] IN (...), [NOT] BETWEEN a AND b, IS [NOT] NULL, [NOT] STARTS_WITH; an optional trailing
/// GROUP BY ExecutionStatus. Strings are single- or double-quoted with the quote doubled inside (<c>'it''s'</c>);
/// backslashes are ordinary characters. Names may be back-quoted (<c>`Dotted.Name`</c>). Keywords are
/// case-insensitive, names case-sensitive. Positions in error messages are 1-based.
/// <para>
/// Semantics on missing values follow SQL, as Temporal's SQL visibility stores do: an attribute a run does not have
/// (a missing search_attributes key, or an open run's CloseTime/ExecutionDuration) is NULL, so every comparison with it
/// is unknown and does not match, including <c>!=</c>, <c>NOT IN</c>, <c>NOT BETWEEN</c>, <c>NOT STARTS_WITH</c> and
/// <c>NOT (...)</c> around such a comparison. Only <c>IS NULL</c> finds runs without the attribute. (Elasticsearch
/// visibility differs: there <c>!=</c> also matches runs without the attribute.) A stored value whose JSON type does not
/// fit the attribute's type counts as missing too.
/// </para>
/// <para>
/// Text attributes match words as <see cref="TextMatch"/> defines it. Upstream behaviours not reproduced here: the implicit <c>TemporalNamespaceDivision IS NULL</c>, the ScheduleId alias and
/// the optional Temporal prefix on reserved names.
/// </para>
/// </summary>
public static class ListFilter
{
    /// <summary>Longer queries are refused before parsing.</summary>
    public const int MaxQueryLength = 32 * 1024;

    /// <summary>Every system and predefined search attribute with its type.</summary>
    public static IReadOnlyDictionary<string, SearchAttributeType> SystemAttributes => SystemAttributeTable.Types;

    /// <summary>
    /// Parses <paramref name="query"/> and checks it against the system attributes and <paramref name="customAttributes"/>
    /// (the namespace's registered custom ones, case-sensitive). GROUP BY is accepted only when
    /// <paramref name="allowGroupBy"/> (CountWorkflowExecutions), and only on ExecutionStatus.
    /// </summary>
    /// <exception cref="InvalidQueryException">The query is malformed, names an unknown attribute, or a value or an
    /// operator does not fit the attribute's type.</exception>
    public static VisibilityQuery Parse(string? query, IReadOnlyDictionary<string, SearchAttributeType> customAttributes, bool allowGroupBy)
    {
        ArgumentNullException.ThrowIfNull(customAttributes);
        query ??= "";
        if (query.Length > MaxQueryLength)
        {
            throw Errors.Invalid($"query is longer than {MaxQueryLength} characters");
        }
        for (var i = 0; i < query.Length; i++)
        {
            if (char.IsSurrogate(query[i]))
            {
                if (char.IsHighSurrogate(query[i]) && i + 1 < query.Length && char.IsLowSurrogate(query[i + 1]))
                {
                    i++;
                    continue;
                }
                throw Errors.At(i, "invalid UTF-16 (unpaired surrogate)");
            }
        }
        var parsed = Parser.Parse(query);
        return new FilterBinder(customAttributes).Bind(parsed, allowGroupBy);
    }

    /// <summary>
    /// Whether a custom attribute name can be queried: SQLite addresses it inside a quoted JSON path (<c>$."name"</c>),
    /// where a double quote would end the key; backslashes and control characters are refused with it. Refused for
    /// every store alike, so that a query means the same on each.
    /// </summary>
    public static bool IsUsableCustomName(string name) =>
        name.Length > 0 && !name.Any(c => c is '"' or '\\' || char.IsControl(c));
}
