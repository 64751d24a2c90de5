using System.Text;

namespace Tempora.Visibility.Query;

/// <summary>
/// Turns a parsed filter into SQL for one dialect. User text never enters the SQL: every value and every
/// search_attributes key becomes a parameter, and column names come from <see cref="SystemAttributeTable"/>.
/// Missing attributes follow SQL's three-valued logic (see <see cref="ListFilter"/>); every construct below keeps NULL
/// as NULL, including the KeywordList and Text ones that are not plain comparisons.
/// </summary>
internal sealed class SqlCompiler
{
    private const string SqliteJsonPathPrefix = "'$.\"' || ";
    private const string SqliteJsonPathSuffix = " || '\"'";

    /// <summary>ASCII characters that are not letters or digits become spaces before PostgreSQL's text search parser
    /// sees a Text value, so that e-mails, host names, paths and hyphenated words split into words as in TextMatch.</summary>
    private const string PostgresAsciiPunctuation = @"'[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+'";

    private readonly IReadOnlyDictionary<string, SearchAttributeType> _customAttributes;
    private readonly SqlDialect _dialect;
    private readonly Func<int, string> _placeholder;
    private readonly List<object?> _parameters = [];
    private readonly Dictionary<string, string> _keyPlaceholders = new(StringComparer.Ordinal);
    private readonly StringBuilder _sql = new();

    public SqlCompiler(IReadOnlyDictionary<string, SearchAttributeType> customAttributes, SqlDialect dialect, Func<int, string> placeholder)
    {
        _customAttributes = customAttributes;
        _dialect = dialect;
        _placeholder = placeholder;
    }

    private bool IsPostgres => _dialect == SqlDialect.Postgres;

    public CompiledQuery Compile(ParsedQuery query, bool allowGroupBy)
    {
        string? groupBy = null;
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
            groupBy = attribute.Column;
        }
        if (query.Filter is null)
        {
            return new CompiledQuery(IsPostgres ? "TRUE" : "1=1", _parameters, groupBy);
        }
        Write(query.Filter);
        return new CompiledQuery(_sql.ToString(), _parameters, groupBy);
    }

    private void Write(FilterNode node)
    {
        switch (node)
        {
            case AndNode and:
                WriteJoined(and.Operands, 0, and.Operands.Count, " AND ");
                break;
            case OrNode or:
                WriteJoined(or.Operands, 0, or.Operands.Count, " OR ");
                break;
            case NotNode not:
                _sql.Append("(NOT ");
                Write(not.Operand);
                _sql.Append(')');
                break;
            case ComparisonNode comparison:
                WriteComparison(comparison);
                break;
            case InNode inNode:
                WriteIn(inNode);
                break;
            case BetweenNode between:
                WriteBetween(between);
                break;
            case IsNullNode isNull:
                WriteIsNull(isNull);
                break;
            case StartsWithNode startsWith:
                WriteStartsWith(startsWith);
                break;
            default:
                throw new InvalidOperationException($"Unknown filter node {node.GetType().Name}");
        }
    }

    /// <summary>
    /// Long AND/OR chains are written as a balanced tree of small groups: SQLite parses "a AND b AND c ..." into a tree as
    /// deep as the chain, and refuses expressions deeper than 1000 levels.
    /// </summary>
    private void WriteJoined(IReadOnlyList<FilterNode> operands, int start, int count, string separator)
    {
        const int FlatGroup = 8;
        _sql.Append('(');
        if (count <= FlatGroup)
        {
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    _sql.Append(separator);
                }
                Write(operands[start + i]);
            }
        }
        else
        {
            var half = count / 2;
            WriteJoined(operands, start, half, separator);
            _sql.Append(separator);
            WriteJoined(operands, start + half, count - half, separator);
        }
        _sql.Append(')');
    }

    private void WriteComparison(ComparisonNode node)
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
                WriteNegatable(op == "!=", () => WriteListContains(attribute, [node.Value]));
                return;
            case SearchAttributeType.Text:
                WriteNegatable(op == "!=", () => WriteTextMatch(attribute, node.Value));
                return;
        }
        var sqlOp = op == "!=" ? "<>" : op;
        _sql.Append('(').Append(Operand(attribute, ordered: !isEquality)).Append(' ').Append(sqlOp).Append(' ')
            .Append(Value(attribute, node.Value)).Append(')');
    }

    private void WriteIn(InNode node)
    {
        var attribute = Resolve(node.Name);
        var op = node.Negated ? "NOT IN" : "IN";
        switch (attribute.Type)
        {
            case SearchAttributeType.KeywordList:
                WriteNegatable(node.Negated, () => WriteListContains(attribute, node.Values));
                return;
            case SearchAttributeType.Text:
                throw NotSupported(node.Name, op, attribute);
        }
        _sql.Append('(').Append(Operand(attribute, ordered: false)).Append(' ').Append(op).Append(" (");
        for (var i = 0; i < node.Values.Count; i++)
        {
            if (i > 0)
            {
                _sql.Append(", ");
            }
            _sql.Append(Value(attribute, node.Values[i]));
        }
        _sql.Append("))");
    }

    private void WriteBetween(BetweenNode node)
    {
        var attribute = Resolve(node.Name);
        if (attribute.Type is SearchAttributeType.KeywordList or SearchAttributeType.Text or SearchAttributeType.Bool || attribute.IsStatus)
        {
            throw NotSupported(node.Name, node.Negated ? "NOT BETWEEN" : "BETWEEN", attribute);
        }
        _sql.Append('(').Append(Operand(attribute, ordered: true)).Append(node.Negated ? " NOT BETWEEN " : " BETWEEN ")
            .Append(Value(attribute, node.From)).Append(" AND ").Append(Value(attribute, node.To)).Append(')');
    }

    private void WriteIsNull(IsNullNode node)
    {
        var attribute = Resolve(node.Name);
        _sql.Append('(').Append(ScalarOperand(attribute)).Append(node.Negated ? " IS NOT NULL)" : " IS NULL)");
    }

    private void WriteStartsWith(StartsWithNode node)
    {
        var attribute = Resolve(node.Name);
        if (attribute.Type != SearchAttributeType.Keyword || attribute.IsStatus)
        {
            throw NotSupported(node.Name, node.Negated ? "NOT STARTS_WITH" : "STARTS_WITH", attribute);
        }
        var operand = Operand(attribute, ordered: true);
        var prefix = Parameter(Values.String(node.Prefix, attribute));
        WriteNegatable(node.Negated, () =>
        {
            // A prefix compared as a value, never as a LIKE pattern, so '%' and '_' in it mean themselves.
            if (IsPostgres)
            {
                _sql.Append("starts_with(").Append(operand).Append(", ").Append(prefix).Append("::text)");
            }
            else
            {
                _sql.Append("(substr(").Append(operand).Append(", 1, length(").Append(prefix).Append(")) = ").Append(prefix).Append(')');
            }
        });
    }

    /// <summary>
    /// KeywordList "contains any of". NULL unless the attribute holds an array (missing, or left with another type), so
    /// that != and NOT IN do not match runs without it.
    /// </summary>
    private void WriteListContains(AttributeInfo attribute, IReadOnlyList<Token> values)
    {
        var key = KeyPlaceholder(attribute);
        if (IsPostgres)
        {
            // jsonb containment; "@> ANY" keeps a long IN list flat.
            _sql.Append("(CASE WHEN jsonb_typeof(search_attributes -> ").Append(key).Append("::text) = 'array' THEN (search_attributes -> ")
                .Append(key).Append("::text) @> ");
            if (values.Count == 1)
            {
                _sql.Append("jsonb_build_array(").Append(Parameter(Values.String(values[0], attribute))).Append("::text) END)");
                return;
            }
            _sql.Append("ANY (ARRAY[");
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    _sql.Append(", ");
                }
                _sql.Append("jsonb_build_array(").Append(Parameter(Values.String(values[i], attribute))).Append("::text)");
            }
            _sql.Append("]) END)");
            return;
        }
        var path = SqlitePath(key);
        _sql.Append("(CASE WHEN json_type(search_attributes, ").Append(path).Append(") = 'array' THEN EXISTS (SELECT 1 FROM json_each(search_attributes, ")
            .Append(path).Append(") WHERE json_each.value IN (");
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                _sql.Append(", ");
            }
            _sql.Append(Parameter(Values.String(values[i], attribute)));
        }
        _sql.Append(")) END)");
    }

    private void WriteTextMatch(AttributeInfo attribute, Token value)
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
        var key = KeyPlaceholder(attribute);
        var query = Parameter(string.Join(' ', words));
        if (IsPostgres)
        {
            _sql.Append("(to_tsvector('simple', regexp_replace(").Append(ScalarOperand(attribute)).Append(", ").Append(PostgresAsciiPunctuation)
                .Append(", ' ', 'g')) @@ plainto_tsquery('simple', ").Append(query).Append("::text))");
        }
        else
        {
            // The store's function answers false for NULL; CASE keeps a missing attribute NULL (so != does not match it).
            var path = SqlitePath(key);
            _sql.Append("(CASE WHEN json_type(search_attributes, ").Append(path).Append(") = 'text' THEN tempora_text_match(json_extract(search_attributes, ")
                .Append(path).Append("), ").Append(query).Append(") END)");
        }
    }

    private void WriteNegatable(bool negated, Action write)
    {
        if (negated)
        {
            _sql.Append("(NOT ");
        }
        write();
        if (negated)
        {
            _sql.Append(')');
        }
    }

    /// <summary>The attribute as a comparable SQL value; <paramref name="ordered"/> asks for byte order on PostgreSQL strings.</summary>
    private string Operand(AttributeInfo attribute, bool ordered)
    {
        var operand = ScalarOperand(attribute);
        var isString = attribute.Type is SearchAttributeType.Keyword or SearchAttributeType.Text
            || (attribute.Type == SearchAttributeType.Datetime && attribute.Column is null);
        // SQLite compares TEXT bytewise (BINARY); "C" makes PostgreSQL order the same way whatever the database locale.
        return IsPostgres && ordered && isString && !attribute.IsStatus ? operand + " COLLATE \"C\"" : operand;
    }

    /// <summary>
    /// The attribute as SQL: its column, or its search_attributes entry converted to the attribute's type. An entry whose
    /// JSON type does not fit (a value left from an attribute removed and registered again with another type) is NULL,
    /// like a missing one, on both dialects; PostgreSQL would otherwise fail the whole query on a cast.
    /// </summary>
    private string ScalarOperand(AttributeInfo attribute)
    {
        if (attribute.Column is { } column)
        {
            return column;
        }
        var key = KeyPlaceholder(attribute);
        if (!IsPostgres)
        {
            var path = SqlitePath(key);
            var sqliteTypes = attribute.Type switch
            {
                SearchAttributeType.Int or SearchAttributeType.Double => "IN ('integer', 'real')",
                SearchAttributeType.Bool => "IN ('true', 'false')",
                SearchAttributeType.KeywordList => "= 'array'",
                _ => "= 'text'",
            };
            return "(CASE WHEN json_type(search_attributes, " + path + ") " + sqliteTypes + " THEN json_extract(search_attributes, " + path + ") END)";
        }
        var (postgresType, value) = attribute.Type switch
        {
            // numeric: a non-integral number left in an Int attribute compares as SQLite compares it, instead of failing the cast.
            SearchAttributeType.Int => ("number", "(search_attributes ->> " + key + "::text)::numeric"),
            SearchAttributeType.Double => ("number", "(search_attributes ->> " + key + "::text)::double precision"),
            SearchAttributeType.Bool => ("boolean", "(search_attributes ->> " + key + "::text)::boolean"),
            SearchAttributeType.KeywordList => ("array", "search_attributes ->> " + key + "::text"),
            _ => ("string", "search_attributes ->> " + key + "::text"),
        };
        return "(CASE WHEN jsonb_typeof(search_attributes -> " + key + "::text) = '" + postgresType + "' THEN " + value + " END)";
    }

    private static string SqlitePath(string keyPlaceholder) => SqliteJsonPathPrefix + keyPlaceholder + SqliteJsonPathSuffix;

    /// <summary>A literal converted to the attribute's type, as a placeholder (with a cast on PostgreSQL).</summary>
    private string Value(AttributeInfo attribute, Token value)
    {
        switch (attribute.Type)
        {
            case SearchAttributeType.Keyword when attribute.IsStatus:
                return Parameter(Values.Status(value, attribute), "bigint");
            case SearchAttributeType.Keyword or SearchAttributeType.Text or SearchAttributeType.KeywordList:
                return Parameter(Values.String(value, attribute), "text");
            case SearchAttributeType.Int:
                return Parameter(Values.Int(value, attribute), "bigint");
            case SearchAttributeType.Double:
                return Parameter(Values.Double(value, attribute), "double precision");
            case SearchAttributeType.Bool:
                return Parameter(Values.Bool(value, attribute), "boolean");
            case SearchAttributeType.Datetime:
                var micros = Values.DatetimeMicros(value, attribute);
                if (attribute.Column is null)
                {
                    return Parameter(Values.FormatJsonDatetime(micros), "text");
                }
                return IsPostgres ? Parameter(Values.FromMicros(micros), "timestamptz") : Parameter(micros);
            default:
                throw new InvalidOperationException($"Unknown search attribute type {attribute.Type}");
        }
    }

    private string Parameter(object value, string? postgresType = null)
    {
        var placeholder = _placeholder(_parameters.Count);
        _parameters.Add(value);
        return IsPostgres && postgresType is not null ? placeholder + "::" + postgresType : placeholder;
    }

    /// <summary>The placeholder of a search_attributes key (one per name and query).</summary>
    private string KeyPlaceholder(AttributeInfo attribute)
    {
        if (!_keyPlaceholders.TryGetValue(attribute.Name, out var placeholder))
        {
            placeholder = Parameter(attribute.Name);
            _keyPlaceholders.Add(attribute.Name, placeholder);
        }
        return placeholder;
    }

    private AttributeInfo Resolve(Token name)
    {
        if (SystemAttributeTable.ByName.TryGetValue(name.Text, out var system))
        {
            return system;
        }
        if (_customAttributes.TryGetValue(name.Text, out var type))
        {
            if (!ListFilter.IsUsableCustomName(name.Text))
            {
                throw Errors.At(name.Position, $"search attribute name {Errors.Quote(name.Text)} cannot be queried",
                    "names must not contain '\"', '\\' or control characters");
            }
            return new AttributeInfo(name.Text, type, null);
        }
        var suggestion = SystemAttributeTable.ByName.Keys.Concat(_customAttributes.Keys)
            .FirstOrDefault(n => string.Equals(n, name.Text, StringComparison.OrdinalIgnoreCase));
        throw Errors.At(name.Position, $"unknown search attribute {Errors.Quote(name.Text)}",
            suggestion is null ? null : $"names are case-sensitive; did you mean '{suggestion}'?");
    }

    private static InvalidQueryException NotSupported(Token at, string op, AttributeInfo attribute)
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
