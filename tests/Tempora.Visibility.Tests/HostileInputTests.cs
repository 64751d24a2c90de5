using Microsoft.Data.Sqlite;
using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// Hostile input never reaches the SQL as text: a query either compiles (its literals as parameters, its SQL the same
/// as for a harmless literal) or throws InvalidQueryException, and nothing exhausts the stack.
/// </summary>
public sealed class HostileInputTests
{
    public static readonly TheoryData<string> HostileValues =
    [
        "'; DROP TABLE executions_visibility; --",
        "' OR '1'='1",
        "\\'; DROP TABLE x; --",
        "'); DELETE FROM executions_visibility WHERE ('1'='1",
        "\" OR \"\"=\"",
        "*/ OR 1=1 /*",
        "$q0",
        "$1",
        "' || (SELECT sqlite_version()) || '",
        "ñ' COLLATE \"C\" --",
        "%",
        "_",
        "\\",
        "😀'\"`",
        "\u202Egnp.exe",
        "a\r\nb\tc",
        "?",
        ":name @p",
        "\u00a0\u2028\ufeff",
        string.Concat(Enumerable.Repeat("xy ", 4_000)),
    ];

    private static readonly string[] Templates =
    [
        "WorkflowId = {0}", "WorkflowId != {0}", "WorkflowId > {0}", "WorkflowId BETWEEN {0} AND {0}", "TaskQueue IN ({0}, 'x')",
        "WorkflowId STARTS_WITH {0}", "WorkflowId NOT STARTS_WITH {0}", "CustomKeyword = {0}", "CustomKeyword <= {0}",
        "`Dotted.Name` NOT IN ({0})", "BatcherUser STARTS_WITH {0}", "CustomKeywordList = {0}", "TemporalChangeVersion NOT IN ({0}, {0})",
    ];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void HostileValue_CompilesToTheSameSqlAsAHarmlessOne(string value)
    {
        foreach (var template in Templates)
        {
            foreach (var literal in new[] { SingleQuoted(value), DoubleQuoted(value) })
            {
                var query = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, literal);
                var harmless = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, "'x'");
                foreach (var dialect in new[] { SqlDialect.Sqlite, SqlDialect.Postgres })
                {
                    var compiled = Compile.With(query, Compile.Custom, dialect, Placeholder(dialect), allowGroupBy: false);
                    Assert.Equal(Compile.With(harmless, Compile.Custom, dialect, Placeholder(dialect), allowGroupBy: false).Where, compiled.Where);
                    Assert.Contains(value, compiled.Parameters);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void HostileTextValue_BecomesWordsInAParameter(string value)
    {
        var query = "CustomText = " + SingleQuoted(value + " fox");
        var compiled = Compile.Sqlite(query);
        Assert.Equal(Compile.Sqlite("CustomText = 'fox'").Where, compiled.Where);
        var words = Assert.IsType<string>(compiled.Parameters[^1]);
        Assert.All(words.Split(' '), w => Assert.True(w.All(char.IsLetterOrDigit) || w.Any(char.IsSurrogate), w));
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void HostileValue_RunsAsALiteralOnSqlite(string value)
    {
        using var db = EmptySqlite();
        foreach (var template in Templates)
        {
            var compiled = Compile.Sqlite(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, SingleQuoted(value)));
            Assert.Equal(0, Count(db, compiled));
        }
        Assert.Equal(0, Count(db, Compile.Sqlite("CustomText = " + SingleQuoted(value + " fox"))));
    }

    [Theory]
    [InlineData("`x; DROP TABLE executions_visibility` = 'a'")]
    [InlineData("`a') OR 1=1 --` = 'a'")]
    [InlineData("`$q0` = 'a'")]
    public void HostileUnknownName_IsRejected(string query)
    {
        Assert.Contains("unknown search attribute", Compile.Error(query), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a') OR 1=1 --")]
    [InlineData("x' || '")]
    [InlineData("$q0")]
    [InlineData("名前 with spaces.and.dots[0]*")]
    public void HostileRegisteredName_IsOnlyAParameter(string name)
    {
        var custom = new Dictionary<string, SearchAttributeType> { [name] = SearchAttributeType.Keyword };
        var query = $"`{name.Replace("`", "``", StringComparison.Ordinal)}` = 'v' OR `{name}` IS NULL";
        foreach (var dialect in new[] { SqlDialect.Sqlite, SqlDialect.Postgres })
        {
            var compiled = Compile.With(query, custom, dialect, Placeholder(dialect), allowGroupBy: false);
            Assert.Equal(name, compiled.Parameters[0]);
            if (name != "$q0")
            {
                Assert.DoesNotContain(name, compiled.Where, StringComparison.Ordinal);
            }
        }
        using var db = EmptySqlite(withRowHaving: name);
        Assert.Equal(1, Count(db, Compile.With(query, custom, SqlDialect.Sqlite, Compile.SqlitePlaceholder, allowGroupBy: false)));
    }

    [Fact]
    public void HugeString_IsRejectedByLength()
    {
        var query = "WorkflowId = '" + new string('a', 100 * 1024) + "'";
        Assert.Contains("query is longer than 32768 characters", Compile.Error(query), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30_000, "(")]
    [InlineData(8_000, "NOT ")]
    [InlineData(8_000, "NOT (")]
    public void DeepNesting_IsRejectedWithoutExhaustingTheStack(int times, string unit)
    {
        var query = string.Concat(Enumerable.Repeat(unit, times))[..Math.Min(times * unit.Length, ListFilter.MaxQueryLength - 20)] + "WorkflowId = 'a'";
        Assert.Contains("expression nested deeper than 100 levels", Compile.Error(query), StringComparison.Ordinal);
    }

    [Fact]
    public void LongFlatChain_CompilesAndRunsOnSqlite()
    {
        // ~1500 predicates: SQLite would refuse a left-deep tree this deep (its limit is 1000).
        var query = string.Join(" AND ", Enumerable.Range(0, 1500).Select(i => $"CustomInt != {i}"));
        Assert.InRange(query.Length, 20_000, ListFilter.MaxQueryLength);
        using var db = EmptySqlite();
        Assert.Equal(0, Count(db, Compile.Sqlite(query)));
        var many = "WorkflowId IN (" + string.Join(",", Enumerable.Repeat("'a'", 8000)) + ")";
        Assert.Equal(0, Count(db, Compile.Sqlite(many)));
        var list = "CustomKeywordList IN (" + string.Join(",", Enumerable.Repeat("'a'", 8000)) + ")";
        Assert.Equal(0, Count(db, Compile.Sqlite(list)));
    }

    [Fact]
    public void RandomInput_CompilesToValidSqlOrThrowsInvalidQuery()
    {
        string[] pieces =
        [
            "WorkflowId", "CustomKeyword", "CustomInt", "CustomText", "CustomKeywordList", "StartTime", "ExecutionStatus", "`Dotted.Name`",
            "=", "!=", "<>", "<", ">=", "IN", "NOT", "AND", "OR", "BETWEEN", "IS", "NULL", "STARTS_WITH", "LIKE", "(", ")", ",",
            "'a'", "'it''s'", "\"x\"", "'", "\"", "`", "1", "-5", "1.5", "1e3", "true", "'Running'", "'2024-01-01T00:00:00Z'", "'1h'",
            ";", "--", "/*", "*/", "#", "\\", "$1", "$q0", "?", "%", "_", "😀", "é", "\u0000", "\ud800", "SELECT", "DROP", "GROUP BY",
            "ORDER BY", "LIMIT", " ", "  ", "\n",
        ];
        var random = new Random(7);
        using var db = EmptySqlite();
        var compiled = 0;
        for (var i = 0; i < 20_000; i++)
        {
            string Piece() => pieces[random.Next(pieces.Length)];
            // Half the time the shape of a predicate (name op value [AND|OR ...]) with random pieces in its slots.
            var query = random.Next(2) == 0
                ? string.Join(" ", Enumerable.Range(0, random.Next(1, 12)).Select(_ => Piece()))
                : string.Join(random.Next(2) == 0 ? " AND " : " OR ", Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                    $"{pieces[random.Next(8)]} {pieces[8 + random.Next(6)]} {(random.Next(3) == 0 ? Piece() : pieces[25 + random.Next(9)])}"));
            foreach (var dialect in new[] { SqlDialect.Sqlite, SqlDialect.Postgres })
            {
                CompiledQuery result;
                try
                {
                    result = Compile.With(query, Compile.Custom, dialect, Placeholder(dialect), allowGroupBy: random.Next(2) == 0);
                }
                catch (InvalidQueryException e)
                {
                    Assert.StartsWith("invalid query: ", e.Message, StringComparison.Ordinal);
                    continue;
                }
                if (dialect == SqlDialect.Sqlite)
                {
                    compiled++;
                    Count(db, result); // throws if the SQL is not valid
                }
            }
        }
        Assert.True(compiled > 500, $"only {compiled} random queries compiled");
    }

    private static Func<int, string> Placeholder(SqlDialect dialect) =>
        dialect == SqlDialect.Sqlite ? Compile.SqlitePlaceholder : Compile.PostgresPlaceholder;

    private static string SingleQuoted(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string DoubleQuoted(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static SqliteConnection EmptySqlite(string? withRowHaving = null)
    {
        var db = new SqliteConnection("Data Source=:memory:");
        db.Open();
        db.CreateFunction<string?, string, bool>("tempora_text_match", TextMatch.Matches, isDeterministic: true);
        using var create = db.CreateCommand();
        create.CommandText = SqliteVisibilityDatabase.CreateTable;
        create.ExecuteNonQuery();
        if (withRowHaving is not null)
        {
            using var insert = db.CreateCommand();
            insert.CommandText = """
                INSERT INTO executions_visibility VALUES ('ns', 'r', 'w', 't', 1, 0, 0, NULL, 'q', 1, 1, NULL, 1, NULL, NULL, 'w', 'r',
                    NULL, json_object($name, 'v'), 1)
                """;
            insert.Parameters.AddWithValue("$name", withRowHaving);
            insert.ExecuteNonQuery();
        }
        return db;
    }

    private static long Count(SqliteConnection db, CompiledQuery query)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM executions_visibility WHERE {query.Where}";
        for (var i = 0; i < query.Parameters.Count; i++)
        {
            cmd.Parameters.AddWithValue(Compile.SqlitePlaceholder(i), query.Parameters[i] ?? DBNull.Value);
        }
        return (long)cmd.ExecuteScalar()!;
    }
}
