using System.Globalization;
using Npgsql;
using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// Randomly generated valid queries over the seed data must select the same runs on SQLite and PostgreSQL, and the
/// SQLite text match (TextMatch) must agree with PostgreSQL's full-text search as the compiled SQL runs it.
/// </summary>
public sealed class CrossDialectTests(SqliteVisibilityDatabase sqlite, PostgresVisibilityDatabase postgres)
    : IClassFixture<SqliteVisibilityDatabase>, IClassFixture<PostgresVisibilityDatabase>
{
    [Fact]
    public async Task RandomQueries_SqliteAndPostgres_ReturnTheSameRuns()
    {
        var generator = new QueryGenerator(new Random(11));
        var nonEmpty = 0;
        for (var i = 0; i < 400; i++)
        {
            var query = generator.Query(depth: 0);
            var fromSqlite = sqlite.RunIds(Compile.Sqlite(query));
            var fromPostgres = await postgres.RunIdsAsync(Compile.Postgres(query));
            if (!fromSqlite.SetEquals(fromPostgres))
            {
                Assert.Fail($"`{query}`: SQLite {fromSqlite.Count} runs, PostgreSQL {fromPostgres.Count}; only SQLite: " +
                    $"{string.Join(", ", fromSqlite.Except(fromPostgres).Take(3))}; only PostgreSQL: {string.Join(", ", fromPostgres.Except(fromSqlite).Take(3))}");
            }
            nonEmpty += fromSqlite.Count > 0 && fromSqlite.Count < SeedData.Main.Count() ? 1 : 0;
        }
        Assert.True(nonEmpty > 150, $"only {nonEmpty} random queries selected some but not all runs");
    }

    [Theory]
    [InlineData("The quick brown fox", "quick FOX")]
    [InlineData("The quick brown fox", "quick cat")]
    [InlineData("Hello-World foo_bar", "hello world foo bar")]
    [InlineData("hello-world", "hello-world")]
    [InlineData("contact a@b.com today", "a b com")]
    [InlineData("contact a@b.com today", "a@b.com")]
    [InlineData("see http://example.com/path?q=1", "example com path q 1")]
    [InlineData("release v1.2.3-rc1", "v1 rc1 2 3")]
    [InlineData("1.5 -7 +3 1e5", "1 5 7 3 1e5")]
    [InlineData("École naïve CAFÉ", "école CAFÉ NAÏVE")]
    [InlineData("École", "ecole")]
    [InlineData("日本語 テキスト", "日本語")]
    [InlineData("x😀y fox", "x y")]
    [InlineData("x😀y fox", "x😀y")]
    [InlineData("e\u0301x", "E\u0301X")]
    [InlineData("ΣΑΣ Straße ǅ", "σασ straße ǆ")]
    [InlineData("foo—bar «baz»", "foo bar baz")]
    [InlineData("tab\tnew\nline", "tab new line")]
    [InlineData("<b>bold</b> &amp; it's", "b bold amp it s")]
    [InlineData("under_score camelCase", "camelcase score")]
    [InlineData("abc123 123abc 00123", "abc123 123abc 00123")]
    [InlineData("abc123", "abc")]
    [InlineData("the a an of", "the an")]
    public async Task TextMatch_AgreesWithPostgresFullTextSearch(string field, string query)
    {
        var compiled = Compile.With($"CustomText = '{query.Replace("'", "''", StringComparison.Ordinal)}'", Compile.Custom,
            SqlDialect.Postgres, i => $"${i + 2}", allowGroupBy: false);
        await using var cmd = postgres.DataSource.CreateCommand(
            $"SELECT {compiled.Where} FROM (SELECT jsonb_build_object('CustomText', $1::text) AS search_attributes) AS row");
        cmd.Parameters.Add(new NpgsqlParameter { Value = field });
        foreach (var value in compiled.Parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        var fromPostgres = (bool)(await cmd.ExecuteScalarAsync())!;
        Assert.Equal(TextMatch.Matches(field, query), fromPostgres);
    }

    /// <summary>Valid queries built from the seed data's values, so that they select something.</summary>
    private sealed class QueryGenerator(Random random)
    {
        private static readonly string[] Statuses = ["'Running'", "'Completed'", "'Failed'", "'Canceled'", "'Terminated'", "'ContinuedAsNew'", "'TimedOut'", "2", "'WORKFLOW_EXECUTION_STATUS_RUNNING'"];

        public string Query(int depth)
        {
            var roll = random.Next(10);
            if (depth < 3 && roll < 3)
            {
                var count = random.Next(2, 4);
                var op = random.Next(2) == 0 ? " AND " : " OR ";
                return "(" + string.Join(op, Enumerable.Range(0, count).Select(_ => Query(depth + 1))) + ")";
            }
            if (depth < 3 && roll == 3)
            {
                return "NOT " + Query(depth + 1);
            }
            return Predicate();
        }

        private string Predicate() => random.Next(20) switch
        {
            0 => Keyword("WorkflowId", () => Row().WorkflowId, prefix: true),
            1 => Keyword("WorkflowType", () => Pick(SeedData.Types), prefix: true),
            2 => Keyword("TaskQueue", () => Pick(SeedData.TaskQueues), prefix: false),
            3 => Keyword("ParentWorkflowId", () => $"parent-{random.Next(12)}", prefix: true),
            4 => random.Next(3) == 0 ? "ExecutionStatus IS NOT NULL" : $"ExecutionStatus {Pick("=", "!=")} {Pick(Statuses)}",
            5 => $"ExecutionStatus {Pick("IN", "NOT IN")} ({Pick(Statuses)}, {Pick(Statuses)})",
            6 => Ordered(Pick("StartTime", "ExecutionTime", "CloseTime"), Time),
            7 => Ordered("ExecutionDuration", () => Pick("'1h'", "'30m'", "'2h45m'", "'10:00:00'", "'1d'",
                (random.NextInt64(0, 100_000) * 1_000_000_000L).ToString(CultureInfo.InvariantCulture))),
            8 => Ordered(Pick("HistoryLength", "StateTransitionCount"), () => random.Next(0, 1000).ToString(CultureInfo.InvariantCulture)),
            9 => Keyword("CustomKeyword", () => Pick(SeedData.Keywords) ?? "alpha", prefix: true),
            10 => $"CustomText {Pick("=", "!=", "=")} {Quote(Pick("fox", "quick brown", "école", "a@b.com", "日本語", "y", "dog lazy", "rc1"))}",
            11 => Ordered("CustomInt", () => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture)),
            12 => Ordered("CustomDouble", () => Pick(SeedData.Doubles)?.ToString("R", CultureInfo.InvariantCulture) ?? "0.5"),
            13 => $"CustomBool {Pick("=", "!=")} {Pick("true", "false")}",
            14 => Ordered("CustomDatetime", Time),
            15 => random.Next(2) == 0
                ? $"CustomKeywordList {Pick("=", "!=")} {Quote(Pick(SeedData.ListValues))}"
                : $"CustomKeywordList {Pick("IN", "NOT IN")} ({Quote(Pick(SeedData.ListValues))}, {Quote(Pick(SeedData.ListValues))})",
            16 => $"TemporalChangeVersion {Pick("=", "!=")} '{Pick("patch-1", "patch-2")}'",
            17 => $"`Dotted.Name` {Pick("=", "!=", "<", ">=")} '{Pick("v1", "v2", "v")}'",
            18 => $"{Pick("CustomKeyword", "CustomText", "CustomInt", "CustomDouble", "CustomBool", "CustomDatetime", "CustomKeywordList",
                "BuildIds", "TemporalSchedulePaused", "BatcherUser", "CloseTime", "ParentRunId")} IS {Pick("", "NOT ")}NULL",
            _ => $"BatcherUser {Pick("STARTS_WITH", "NOT STARTS_WITH", "=", "!=")} '{Pick("admin", "admin@corp", "ops", "")}'",
        };

        private string Keyword(string name, Func<string> value, bool prefix)
        {
            var v = value();
            return random.Next(8) switch
            {
                0 => $"{name} IN ({Quote(v)}, {Quote(value())})",
                1 => $"{name} NOT IN ({Quote(v)})",
                2 when prefix => $"{name} {Pick("STARTS_WITH", "NOT STARTS_WITH")} {Quote(v[..Cut(v)])}",
                3 => $"{name} BETWEEN {Quote(v)} AND {Quote(value())}",
                _ => $"{name} {Pick("=", "!=", "<", "<=", ">", ">=")} {Quote(v)}",
            };
        }

        /// <summary>A random prefix length of <paramref name="v"/> that does not split a surrogate pair (the parser refuses half a one).</summary>
        private int Cut(string v)
        {
            var cut = random.Next(0, v.Length + 1);
            return cut < v.Length && char.IsLowSurrogate(v[cut]) ? cut - 1 : cut;
        }

        private string Ordered(string name, Func<string> value) => random.Next(6) switch
        {
            0 => $"{name} {Pick("BETWEEN", "NOT BETWEEN")} {value()} AND {value()}",
            1 => $"{name} {Pick("IN", "NOT IN")} ({value()}, {value()})",
            _ => $"{name} {Pick("=", "!=", "<", "<=", ">", ">=")} {value()}",
        };

        private string Time()
        {
            var micros = SeedData.BaseTime + random.NextInt64(-86_400_000_000L, 12 * 86_400_000_000L);
            if (random.Next(4) == 0)
            {
                return (micros * 1000 + random.Next(1000)).ToString(CultureInfo.InvariantCulture);
            }
            var offset = TimeSpan.FromMinutes(random.Next(-12 * 60, 12 * 60) / 15 * 15);
            return "'" + SeedRow.FromMicros(micros).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture) + "'";
        }

        private SeedRow Row() => SeedData.Rows[random.Next(SeedData.Rows.Count)];

        private T Pick<T>(params T[] values) => values[random.Next(values.Length)];

        private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
