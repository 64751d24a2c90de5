namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// Compiled queries run against real databases: SQLite in memory and PostgreSQL (a fresh database for this class),
/// both seeded with the same rows. Each dialect must return exactly the rows the C# predicate of the case selects.
/// </summary>
public sealed class ExecutionTests(SqliteVisibilityDatabase sqlite, PostgresVisibilityDatabase postgres)
    : IClassFixture<SqliteVisibilityDatabase>, IClassFixture<PostgresVisibilityDatabase>
{
    public static TheoryData<string> Queries => [.. QueryCases.All.Keys];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Query_BothDialects_ReturnTheExpectedRuns(string query)
    {
        var expected = SeedData.Main.Where(QueryCases.All[query]).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);

        var fromSqlite = sqlite.RunIds(Compile.Sqlite(query));
        AssertSameRuns(expected, fromSqlite, "SQLite", query);

        var fromPostgres = await postgres.RunIdsAsync(Compile.Postgres(query));
        AssertSameRuns(expected, fromPostgres, "PostgreSQL", query);
        Assert.Equal(fromSqlite, fromPostgres);
    }

    [Fact]
    public void QueryCases_SelectNeitherNothingNorEverythingMostly()
    {
        // The seed data must make the cases meaningful: most select some rows but not all.
        var selective = QueryCases.All.Values.Count(p => SeedData.Main.Any(p) && !SeedData.Main.All(p));
        Assert.True(selective >= QueryCases.All.Count - 12, $"only {selective} of {QueryCases.All.Count} cases are selective");
        Assert.True(QueryCases.All.Count >= 60);
    }

    [Theory]
    [InlineData("GROUP BY ExecutionStatus")]
    [InlineData("WorkflowType = 'OrderWorkflow' GROUP BY ExecutionStatus")]
    [InlineData("CustomKeywordList = 'red' OR CustomText = 'fox' group by `ExecutionStatus`")]
    public async Task CountGroupByStatus_BothDialects_CountPerStatus(string query)
    {
        var filter = query[..query.IndexOf("group by", StringComparison.OrdinalIgnoreCase)].Trim();
        var predicate = QueryCases.All.TryGetValue(filter, out var p) ? p : filter.Length == 0 ? _ => true : Filter(filter);
        var expected = SeedData.Main.Where(predicate).GroupBy(r => (long)r.Status).ToDictionary(g => g.Key, g => (long)g.Count());

        var sqliteQuery = Compile.Sqlite(query, allowGroupBy: true);
        Assert.Equal("status", sqliteQuery.GroupBy);
        Assert.Equal(expected, sqlite.CountByGroup(sqliteQuery));

        var postgresQuery = Compile.Postgres(query, allowGroupBy: true);
        Assert.Equal("status", postgresQuery.GroupBy);
        Assert.Equal(expected, await postgres.CountByGroupAsync(postgresQuery));
    }

    [Fact]
    public async Task HostileValues_LeaveTheTableAlone()
    {
        foreach (var query in QueryCases.All.Keys.Where(q => q.Contains("DROP", StringComparison.Ordinal) || q.Contains("1=1", StringComparison.Ordinal)))
        {
            sqlite.RunIds(Compile.Sqlite(query));
            await postgres.RunIdsAsync(Compile.Postgres(query));
        }
        Assert.Equal(SeedData.Rows.Count, sqlite.Count("SELECT COUNT(*) FROM executions_visibility"));
        Assert.Equal(SeedData.Rows.Count, await postgres.CountAsync("SELECT COUNT(*) FROM executions_visibility"));
    }

    private static Func<SeedRow, bool> Filter(string filter) => filter switch
    {
        "CustomKeywordList = 'red' OR CustomText = 'fox'" => r =>
            QueryCases.All["CustomKeywordList = 'red'"](r) || QueryCases.All["CustomText = 'fox'"](r),
        _ => throw new ArgumentException($"no predicate for {filter}", nameof(filter)),
    };

    private static void AssertSameRuns(HashSet<string> expected, HashSet<string> actual, string dialect, string query)
    {
        if (expected.SetEquals(actual))
        {
            return;
        }
        var missing = expected.Except(actual).Take(5).Select(Describe);
        var extra = actual.Except(expected).Take(5).Select(Describe);
        Assert.Fail($"{dialect}: `{query}` returned {actual.Count} runs, expected {expected.Count}.\n" +
            $"missing: {string.Join("\n  ", missing)}\nextra: {string.Join("\n  ", extra)}");
    }

    private static string Describe(string runId)
    {
        var row = SeedData.Rows.Single(r => r.RunId == runId);
        return $"{row.RunId} wf={row.WorkflowId} status={row.Status} sa={row.SearchAttributesJson()}";
    }
}
