using System.Text;

namespace Tempora.Visibility.Query;

/// <summary>
/// Checks a parsed filter against the search attributes and turns it into <see cref="Condition"/>s: names resolved,
/// operators checked against the attribute's type, values converted. It walks the query left to right, so the first
/// problem in the text is the one reported.
/// </summary>
internal sealed class FilterBinder(IReadOnlyDictionary<string, SearchAttributeType> customAttributes)
{
    private readonly List<Token> _names = [];

    /// <summary>Every attribute name the query uses, as written: the GROUP BY name first, then the filter's in the order of the text.</summary>
    public IReadOnlyList<Token> Names => _names;

    public VisibilityQuery Bind(ParsedQuery query, bool allowGroupBy)
    {
        var groupByStatus = false;
        if (query.GroupBy is { } groupByName)
        {
            var attribute = Resolve(groupByName);
            if (!allowGroupBy)
            {
                throw Errors.At(groupByName.Position, "GROUP BY is not supported here", "only CountWorkflowExecutions accepts GROUP BY ExecutionStatus");
            }
            if (!attribute.IsStatus)
            {
                throw Errors.At(groupByName.Position, $"GROUP BY is not supported for search attribute '{attribute.Name}'",
                    "only GROUP BY ExecutionStatus is supported");
            }
            groupByStatus = true;
        }
        return new VisibilityQuery(query.Filter is null ? null : Bind(query.Filter), groupByStatus);
    }

    private Condition Bind(FilterNode node) => node switch
    {
        AndNode and => new AndCondition(and.Operands.Select(Bind).ToList()),
        OrNode or => new OrCondition(or.Operands.Select(Bind).ToList()),
        NotNode not => new NotCondition(Bind(not.Operand)),
        ComparisonNode comparison => BindComparison(comparison),
        InNode inNode => BindIn(inNode),
        BetweenNode between => BindBetween(between),
        IsNullNode isNull => new IsNullCondition(Resolve(isNull.Name), isNull.Negated),
        StartsWithNode startsWith => BindStartsWith(startsWith),
        _ => throw new InvalidOperationException($"Unknown filter node {node.GetType().Name}"),
    };

    private Condition BindComparison(ComparisonNode node)
    {
        var attribute = Resolve(node.Name);
        var op = node.Operator.Text;
        var isEquality = op is "=" or "!=";
        if (!isEquality && (attribute.Type is SearchAttributeType.KeywordList or SearchAttributeType.Text or SearchAttributeType.Bool || attribute.IsStatus))
        {
            throw NotSupported(node.Operator, op, attribute);
        }
        switch (attribute.Type)
        {
            case SearchAttributeType.KeywordList:
                return new ContainsAnyCondition(attribute, op == "!=", [Values.String(node.Value, attribute)]);
            case SearchAttributeType.Text:
                return new TextMatchCondition(attribute, op == "!=", TextWords(attribute, node.Value));
        }
        var comparison = op switch
        {
            "=" => ComparisonOperator.Equal,
            "!=" => ComparisonOperator.NotEqual,
            "<" => ComparisonOperator.Less,
            ">" => ComparisonOperator.Greater,
            "<=" => ComparisonOperator.LessOrEqual,
            ">=" => ComparisonOperator.GreaterOrEqual,
            _ => throw new InvalidOperationException($"Unknown operator {op}"),
        };
        return new ComparisonCondition(attribute, comparison, Value(attribute, node.Value));
    }

    private Condition BindIn(InNode node)
    {
        var attribute = Resolve(node.Name);
        switch (attribute.Type)
        {
            case SearchAttributeType.KeywordList:
                return new ContainsAnyCondition(attribute, node.Negated, node.Values.Select(v => Values.String(v, attribute)).ToList());
            case SearchAttributeType.Text:
                throw NotSupported(node.Name, node.Negated ? "NOT IN" : "IN", attribute);
        }
        return new InCondition(attribute, node.Negated, node.Values.Select(v => Value(attribute, v)).ToList());
    }

    private BetweenCondition BindBetween(BetweenNode node)
    {
        var attribute = Resolve(node.Name);
        if (attribute.Type is SearchAttributeType.KeywordList or SearchAttributeType.Text or SearchAttributeType.Bool || attribute.IsStatus)
        {
            throw NotSupported(node.Name, node.Negated ? "NOT BETWEEN" : "BETWEEN", attribute);
        }
        var from = Value(attribute, node.From);
        return new BetweenCondition(attribute, node.Negated, from, Value(attribute, node.To));
    }

    private StartsWithCondition BindStartsWith(StartsWithNode node)
    {
        var attribute = Resolve(node.Name);
        if (attribute.Type != SearchAttributeType.Keyword || attribute.IsStatus)
        {
            throw NotSupported(node.Name, node.Negated ? "NOT STARTS_WITH" : "STARTS_WITH", attribute);
        }
        return new StartsWithCondition(attribute, node.Negated, ScheduleIdPrefix(attribute) + Values.String(node.Prefix, attribute));
    }

    /// <summary>The words a Text value matches, joined by spaces; refused when there are none or one is too long.</summary>
    private static string TextWords(FilterAttribute attribute, Token value)
    {
        var text = Values.String(value, attribute);
        var words = TextMatch.Words(text, lowerCase: false, keepTooLong: true);
        if (words.Count == 0)
        {
            throw Errors.At(value.Position, $"{Errors.Describe(value)} has no words to match in Text search attribute '{attribute.Name}'");
        }
        if (words.Find(w => Encoding.UTF8.GetByteCount(w) > TextMatch.MaxWordBytes) is { } tooLong)
        {
            throw Errors.At(value.Position, $"word {Errors.Quote(tooLong)} is too long to match", $"at most {TextMatch.MaxWordBytes} bytes");
        }
        return string.Join(' ', words);
    }

    /// <summary>A literal converted to the attribute's type (the value types are listed on <see cref="Condition"/>).</summary>
    private static object Value(FilterAttribute attribute, Token value) => attribute.Type switch
    {
        SearchAttributeType.Keyword when attribute.IsStatus => Values.Status(value, attribute),
        SearchAttributeType.Keyword when attribute.IsScheduleId => ScheduleIdPrefix(attribute) + Values.String(value, attribute),
        SearchAttributeType.Keyword or SearchAttributeType.Text or SearchAttributeType.KeywordList => Values.String(value, attribute),
        SearchAttributeType.Int => Values.Int(value, attribute),
        SearchAttributeType.Double => Values.Double(value, attribute),
        SearchAttributeType.Bool => Values.Bool(value, attribute),
        SearchAttributeType.Datetime => Values.FromMicros(Values.DatetimeMicros(value, attribute)),
        _ => throw new InvalidOperationException($"Unknown search attribute type {attribute.Type}"),
    };

    private static string ScheduleIdPrefix(FilterAttribute attribute) => attribute.IsScheduleId ? ScheduleVisibility.WorkflowIdPrefix : "";

    private FilterAttribute Resolve(Token name)
    {
        _names.Add(name);
        if (SystemAttributeTable.ByName.TryGetValue(name.Text, out var system))
        {
            return system;
        }
        if (customAttributes.TryGetValue(name.Text, out var type))
        {
            if (!ListFilter.IsUsableCustomName(name.Text))
            {
                throw Errors.At(name.Position, $"search attribute name {Errors.Quote(name.Text)} cannot be queried",
                    "names must not contain '\"', '\\' or control characters");
            }
            return new FilterAttribute(name.Text, type, null);
        }
        if (name.Text == FilterAttribute.ScheduleIdAlias)
        {
            // As on Temporal, a namespace's own ScheduleId attribute (above) takes precedence over the alias.
            return new FilterAttribute(FilterAttribute.ScheduleIdAlias, SearchAttributeType.Keyword, VisibilityField.WorkflowId);
        }
        var suggestion = SystemAttributeTable.ByName.Keys.Concat(customAttributes.Keys).Append(FilterAttribute.ScheduleIdAlias)
            .FirstOrDefault(n => string.Equals(n, name.Text, StringComparison.OrdinalIgnoreCase));
        throw Errors.At(name.Position, $"unknown search attribute {Errors.Quote(name.Text)}",
            suggestion is null ? null : $"names are case-sensitive; did you mean '{suggestion}'?");
    }

    private static InvalidQueryException NotSupported(Token at, string op, FilterAttribute attribute)
    {
        var supported = attribute.Type switch
        {
            SearchAttributeType.KeywordList => "=, !=, IN, NOT IN, IS NULL, IS NOT NULL",
            SearchAttributeType.Text => "=, !=, IS NULL, IS NOT NULL",
            SearchAttributeType.Bool => "=, !=, IN, NOT IN, IS NULL, IS NOT NULL",
            SearchAttributeType.Keyword when attribute.IsStatus => "=, !=, IN, NOT IN, IS NULL, IS NOT NULL",
            SearchAttributeType.Keyword => "=, !=, <, >, <=, >=, IN, NOT IN, BETWEEN, STARTS_WITH, NOT STARTS_WITH, IS NULL, IS NOT NULL",
            _ => "=, !=, <, >, <=, >=, IN, NOT IN, BETWEEN, IS NULL, IS NOT NULL",
        };
        return Errors.At(at.Position, $"operator {op.ToUpperInvariant()} is not supported for search attribute '{attribute.Name}' of type {attribute.Type}",
            $"supported: {supported}");
    }
}
