using System.Globalization;
using System.Text;
using Tempora.Visibility;
using Tempora.Visibility.Query;

namespace Tempora.Persistence.VisibilitySql;

/// <summary>
/// Turns a checked list filter (<see cref="VisibilityQuery"/>) into SQL for one dialect. User text never enters the
/// SQL: every value and every search_attributes key becomes a parameter, and column names come from
/// <see cref="VisibilityTable.Column"/>. Missing attributes follow SQL's three-valued logic (see <see cref="ListFilter"/>);
/// every construct below keeps NULL as NULL, including the KeywordList and Text ones that are not plain comparisons.
/// <para>
/// The SQLite store must register <c>tempora_text_match(field, query)</c> as <see cref="TextMatch.Matches"/>.
/// </para>
/// </summary>
public sealed class SqlCompiler
{
    private const string SqliteJsonPathPrefix = "'$.\"' || ";
    private const string SqliteJsonPathSuffix = " || '\"'";

    /// <summary>ASCII characters that are not letters or digits become spaces before PostgreSQL's text search parser
    /// sees a Text value, so that e-mails, host names, paths and hyphenated words split into words as in TextMatch.</summary>
    private const string PostgresAsciiPunctuation = @"'[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+'";

    private readonly SqlDialect _dialect;
    private readonly Func<int, string> _placeholder;
    private readonly List<object?> _parameters = [];
    private readonly Dictionary<string, string> _keyPlaceholders = new(StringComparer.Ordinal);
    private readonly StringBuilder _sql = new();

    private SqlCompiler(SqlDialect dialect, Func<int, string> placeholder)
    {
        _dialect = dialect;
        _placeholder = placeholder;
    }

    private bool IsPostgres => _dialect == SqlDialect.Postgres;

    /// <summary>
    /// Compiles <paramref name="query"/> for <paramref name="dialect"/>; <paramref name="placeholder"/> gives the
    /// placeholder text of the i-th parameter (0-based).
    /// </summary>
    public static CompiledQuery Compile(VisibilityQuery query, SqlDialect dialect, Func<int, string> placeholder) =>
        new SqlCompiler(dialect, placeholder).Compile(query);

    private CompiledQuery Compile(VisibilityQuery query)
    {
        var groupBy = query.GroupByStatus ? VisibilityTable.Column(VisibilityField.ExecutionStatus) : null;
        if (query.Filter is null)
        {
            return new CompiledQuery(IsPostgres ? "TRUE" : "1=1", _parameters, groupBy);
        }
        Write(query.Filter);
        return new CompiledQuery(_sql.ToString(), _parameters, groupBy);
    }

    private void Write(Condition condition)
    {
        switch (condition)
        {
            case AndCondition and:
                WriteJoined(and.Operands, 0, and.Operands.Count, " AND ");
                break;
            case OrCondition or:
                WriteJoined(or.Operands, 0, or.Operands.Count, " OR ");
                break;
            case NotCondition not:
                _sql.Append("(NOT ");
                Write(not.Operand);
                _sql.Append(')');
                break;
            case ComparisonCondition comparison:
                WriteComparison(comparison);
                break;
            case InCondition inCondition:
                WriteIn(inCondition);
                break;
            case BetweenCondition between:
                WriteBetween(between);
                break;
            case IsNullCondition isNull:
                _sql.Append('(').Append(ScalarOperand(isNull.Attribute)).Append(isNull.Negated ? " IS NOT NULL)" : " IS NULL)");
                break;
            case StartsWithCondition startsWith:
                WriteStartsWith(startsWith);
                break;
            case ContainsAnyCondition contains:
                WriteNegatable(contains.Negated, () => WriteListContains(contains.Attribute, contains.Values));
                break;
            case TextMatchCondition text:
                WriteNegatable(text.Negated, () => WriteTextMatch(text.Attribute, text.Words));
                break;
            default:
                throw new InvalidOperationException($"Unknown condition {condition.GetType().Name}");
        }
    }

    /// <summary>
    /// Long AND/OR chains are written as a balanced tree of small groups: SQLite parses "a AND b AND c ..." into a tree as
    /// deep as the chain, and refuses expressions deeper than 1000 levels.
    /// </summary>
    private void WriteJoined(IReadOnlyList<Condition> operands, int start, int count, string separator)
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

    private void WriteComparison(ComparisonCondition condition)
    {
        var (sqlOp, ordered) = condition.Operator switch
        {
            ComparisonOperator.Equal => ("=", false),
            ComparisonOperator.NotEqual => ("<>", false),
            ComparisonOperator.Less => ("<", true),
            ComparisonOperator.Greater => (">", true),
            ComparisonOperator.LessOrEqual => ("<=", true),
            ComparisonOperator.GreaterOrEqual => (">=", true),
            _ => throw new InvalidOperationException($"Unknown operator {condition.Operator}"),
        };
        var attribute = condition.Attribute;
        _sql.Append('(').Append(Operand(attribute, ordered)).Append(' ').Append(sqlOp).Append(' ')
            .Append(Value(attribute, condition.Value)).Append(')');
    }

    private void WriteIn(InCondition condition)
    {
        var attribute = condition.Attribute;
        _sql.Append('(').Append(Operand(attribute, ordered: false)).Append(' ').Append(condition.Negated ? "NOT IN" : "IN").Append(" (");
        for (var i = 0; i < condition.Values.Count; i++)
        {
            if (i > 0)
            {
                _sql.Append(", ");
            }
            _sql.Append(Value(attribute, condition.Values[i]));
        }
        _sql.Append("))");
    }

    private void WriteBetween(BetweenCondition condition)
    {
        var attribute = condition.Attribute;
        _sql.Append('(').Append(Operand(attribute, ordered: true)).Append(condition.Negated ? " NOT BETWEEN " : " BETWEEN ")
            .Append(Value(attribute, condition.From)).Append(" AND ").Append(Value(attribute, condition.To)).Append(')');
    }

    private void WriteStartsWith(StartsWithCondition condition)
    {
        var operand = Operand(condition.Attribute, ordered: true);
        var prefix = Parameter(condition.Prefix);
        WriteNegatable(condition.Negated, () =>
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
    private void WriteListContains(FilterAttribute attribute, IReadOnlyList<string> values)
    {
        var key = KeyPlaceholder(attribute);
        if (IsPostgres)
        {
            // jsonb containment; "@> ANY" keeps a long IN list flat.
            _sql.Append("(CASE WHEN jsonb_typeof(search_attributes -> ").Append(key).Append("::text) = 'array' THEN (search_attributes -> ")
                .Append(key).Append("::text) @> ");
            if (values.Count == 1)
            {
                _sql.Append("jsonb_build_array(").Append(Parameter(values[0])).Append("::text) END)");
                return;
            }
            _sql.Append("ANY (ARRAY[");
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    _sql.Append(", ");
                }
                _sql.Append("jsonb_build_array(").Append(Parameter(values[i])).Append("::text)");
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
            _sql.Append(Parameter(values[i]));
        }
        _sql.Append(")) END)");
    }

    private void WriteTextMatch(FilterAttribute attribute, string words)
    {
        var key = KeyPlaceholder(attribute);
        var query = Parameter(words);
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
    private string Operand(FilterAttribute attribute, bool ordered)
    {
        var operand = ScalarOperand(attribute);
        var isString = attribute.Type is SearchAttributeType.Keyword or SearchAttributeType.Text
            || (attribute.Type == SearchAttributeType.Datetime && attribute.Field is null);
        // SQLite compares TEXT bytewise (BINARY); "C" makes PostgreSQL order the same way whatever the database locale.
        return IsPostgres && ordered && isString && !attribute.IsStatus ? operand + " COLLATE \"C\"" : operand;
    }

    /// <summary>
    /// The attribute as SQL: its column, or its search_attributes entry converted to the attribute's type. An entry whose
    /// JSON type does not fit (a value left from an attribute removed and registered again with another type) is NULL,
    /// like a missing one, on both dialects; PostgreSQL would otherwise fail the whole query on a cast.
    /// </summary>
    private string ScalarOperand(FilterAttribute attribute)
    {
        if (attribute.Field is { } field)
        {
            return VisibilityTable.Column(field);
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

    /// <summary>A value of the attribute's type as a placeholder (with a cast on PostgreSQL), in the column's representation.</summary>
    private string Value(FilterAttribute attribute, object value)
    {
        switch (attribute.Type)
        {
            case SearchAttributeType.Keyword when attribute.IsStatus:
                return Parameter(value, "bigint");
            case SearchAttributeType.Keyword or SearchAttributeType.Text or SearchAttributeType.KeywordList:
                return Parameter(value, "text");
            case SearchAttributeType.Int:
                return Parameter(value, "bigint");
            case SearchAttributeType.Double:
                return Parameter(value, "double precision");
            case SearchAttributeType.Bool:
                return Parameter(value, "boolean");
            case SearchAttributeType.Datetime:
                var time = (DateTimeOffset)value;
                if (attribute.Field is null)
                {
                    return Parameter(time.ToString(VisibilityRecord.SearchAttributeDatetimeFormat, CultureInfo.InvariantCulture), "text");
                }
                // SQLite stores times as unix microseconds, PostgreSQL as timestamptz.
                return IsPostgres ? Parameter(time, "timestamptz") : Parameter(VisibilityCursor.MicrosOf(time));
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
    private string KeyPlaceholder(FilterAttribute attribute)
    {
        if (!_keyPlaceholders.TryGetValue(attribute.Name, out var placeholder))
        {
            placeholder = Parameter(attribute.Name);
            _keyPlaceholders.Add(attribute.Name, placeholder);
        }
        return placeholder;
    }
}
