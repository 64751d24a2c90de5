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
/// Text attributes match words as <see cref="TextMatch"/> defines it. As on Temporal, <c>ScheduleId</c> is an alias of
/// WorkflowId with the schedule prefix added to its values (unless the namespace registers its own ScheduleId), and a
/// workflow query that does not name TemporalNamespaceDivision gets <c>TemporalNamespaceDivision IS NULL</c>, so that
/// the rows of schedules (<see cref="ScheduleVisibility"/>) and other server-side divisions stay out of workflow lists.
/// Schedule lists have their own entry point, <see cref="ParseScheduleQuery"/>. Not reproduced: the optional Temporal
/// prefix on reserved names (newer than 1.28).
/// </para>
/// </summary>
public static class ListFilter
{
    /// <summary>Longer queries are refused before parsing.</summary>
    public const int MaxQueryLength = 32 * 1024;

    /// <summary>Every system and predefined search attribute with its type.</summary>
    public static IReadOnlyDictionary<string, SearchAttributeType> SystemAttributes => SystemAttributeTable.Types;

    /// <summary>
    /// Parses a workflow list filter (List/Scan/CountWorkflowExecutions, the legacy open/closed lists) and checks it
    /// against the system attributes and <paramref name="customAttributes"/> (the namespace's registered custom ones,
    /// case-sensitive). GROUP BY is accepted only when <paramref name="allowGroupBy"/> (CountWorkflowExecutions), and only
    /// on ExecutionStatus. Unless the query names TemporalNamespaceDivision, it selects only rows without one.
    /// </summary>
    /// <exception cref="InvalidQueryException">The query is malformed, names an unknown attribute, or a value or an
    /// operator does not fit the attribute's type.</exception>
    public static VisibilityQuery Parse(string? query, IReadOnlyDictionary<string, SearchAttributeType> customAttributes, bool allowGroupBy)
    {
        var (checkedQuery, names) = Check(query, customAttributes, allowGroupBy);
        if (names.Any(n => n.Text == NamespaceDivision.Name))
        {
            return checkedQuery; // the caller chose the division itself, as Temporal allows
        }
        return checkedQuery with { Filter = NamespaceDivision.And(checkedQuery.Filter, NamespaceDivision.IsNone) };
    }

    /// <summary>
    /// Parses the filter of ListSchedules/CountSchedules: the user's <paramref name="query"/> (empty: every schedule)
    /// restricted to schedule rows. As in Temporal 1.28 it may name the namespace's custom attributes,
    /// TemporalSchedulePaused and the ScheduleId alias; any other system or reserved attribute is refused (so is GROUP
    /// BY, which only ExecutionStatus allows).
    /// </summary>
    /// <exception cref="InvalidQueryException">As <see cref="Parse"/>, or with Temporal's message
    /// <c>invalid query filter for schedules: cannot filter on "Name"</c>.</exception>
    public static VisibilityQuery ParseScheduleQuery(string? query, IReadOnlyDictionary<string, SearchAttributeType> customAttributes)
    {
        // GROUP BY is let through the check so that "GROUP BY ExecutionStatus" gets the schedule error below, as upstream.
        var (checkedQuery, names) = Check(query, customAttributes, allowGroupBy: true);
        if (names.Select(n => n.Text).FirstOrDefault(n => IsReservedForSchedules(n, customAttributes)) is { } reserved)
        {
            throw new InvalidQueryException($"invalid query filter for schedules: cannot filter on \"{reserved}\"");
        }
        return new VisibilityQuery(NamespaceDivision.And(NamespaceDivision.IsScheduler, checkedQuery.Filter), GroupByStatus: false);
    }

    /// <summary>The user's filter alone, checked, without the division <see cref="Parse"/> adds (the compiler's tests).</summary>
    internal static VisibilityQuery ParseFilter(string? query, IReadOnlyDictionary<string, SearchAttributeType> customAttributes, bool allowGroupBy) =>
        Check(query, customAttributes, allowGroupBy).Query;

    /// <summary>Temporal refuses system and reserved names in schedule queries, except the schedule's paused flag.</summary>
    private static bool IsReservedForSchedules(string name, IReadOnlyDictionary<string, SearchAttributeType> customAttributes) =>
        name != "TemporalSchedulePaused" && !customAttributes.ContainsKey(name)
        && (SystemAttributeTable.ByName.ContainsKey(name) || name.StartsWith("Temporal", StringComparison.Ordinal));

    private static (VisibilityQuery Query, IReadOnlyList<Token> Names) Check(
        string? query, IReadOnlyDictionary<string, SearchAttributeType> customAttributes, bool allowGroupBy)
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
        var binder = new FilterBinder(customAttributes);
        return (binder.Bind(parsed, allowGroupBy), binder.Names);
    }

    /// <summary>
    /// Whether a custom attribute name can be queried: SQLite addresses it inside a quoted JSON path (<c>$."name"</c>),
    /// where a double quote would end the key; backslashes and control characters are refused with it. Refused for
    /// every store alike, so that a query means the same on each.
    /// </summary>
    public static bool IsUsableCustomName(string name) =>
        name.Length > 0 && !name.Any(c => c is '"' or '\\' || char.IsControl(c));
}
