namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// Workflow queries (<see cref="ListFilter.Parse"/>) see only rows without a TemporalNamespaceDivision unless they name
/// it, as on Temporal: schedules and other server-side rows stay out of workflow lists and counts.
/// </summary>
public sealed class NamespaceDivisionTests(SqliteVisibilityDatabase sqlite, PostgresVisibilityDatabase postgres)
    : IClassFixture<SqliteVisibilityDatabase>, IClassFixture<PostgresVisibilityDatabase>
{
    private static readonly Dictionary<string, Func<SeedRow, bool>> Cases = new(StringComparer.Ordinal)
    {
        [""] = r => r.NamespaceDivision is null,
        ["ExecutionStatus = 'Running'"] = r => r.NamespaceDivision is null && r.Status == 1,
        ["CustomKeyword = 'alpha'"] = r => r.NamespaceDivision is null && r.CustomKeyword == "alpha",
        ["TemporalSchedulePaused = true"] = r => r.NamespaceDivision is null && r.SchedulePaused == true,
        ["ScheduleId = 'nightly-report'"] = _ => false,
        ["TemporalNamespaceDivision = 'TemporalScheduler'"] = r => r.NamespaceDivision == "TemporalScheduler",
        ["TemporalNamespaceDivision = 'TemporalScheduler' AND ScheduleId = 'nightly-report'"] =
            r => r.NamespaceDivision == "TemporalScheduler" && r.WorkflowId == "temporal-sys-scheduler:nightly-report",
        ["TemporalNamespaceDivision IS NOT NULL"] = r => r.NamespaceDivision is not null,
        ["TemporalNamespaceDivision IS NULL OR TemporalNamespaceDivision IS NOT NULL"] = _ => true,
        ["CustomKeyword = 'alpha' OR TemporalNamespaceDivision = 'TemporalBatcher'"] =
            r => r.CustomKeyword == "alpha" || r.NamespaceDivision == "TemporalBatcher",
        ["NOT (TemporalNamespaceDivision = 'TemporalBatcher')"] = r => r.NamespaceDivision is { } d && d != "TemporalBatcher",
    };

    public static TheoryData<string> Queries => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task WorkflowQuery_BothDialects_SeeDivisionRowsOnlyWhenNamed(string query)
    {
        var expected = SeedData.Main.Where(Cases[query]).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var parsed = ListFilter.Parse(query, Compile.Custom, allowGroupBy: false);

        Assert.Equal(expected, sqlite.RunIds(Compile.Sqlite(parsed)));
        Assert.Equal(expected, await postgres.RunIdsAsync(Compile.Postgres(parsed)));
    }

    [Fact]
    public void SeedData_HasRowsOnBothSidesOfTheDivision()
    {
        Assert.Contains(SeedData.Main, r => r.NamespaceDivision == "TemporalScheduler" && r.Status == 1);
        Assert.Contains(SeedData.Main, r => r.NamespaceDivision == "TemporalBatcher");
        Assert.Contains(SeedData.Main, r => r.NamespaceDivision is null && r.Status == 1 && r.CustomKeyword == "alpha");
    }

    [Fact]
    public async Task CountGroupByStatus_BothDialects_LeaveScheduleRowsOut()
    {
        var expected = SeedData.Main.Where(r => r.NamespaceDivision is null).GroupBy(r => (long)r.Status).ToDictionary(g => g.Key, g => (long)g.Count());
        var parsed = ListFilter.Parse("GROUP BY ExecutionStatus", Compile.Custom, allowGroupBy: true);

        Assert.Equal(expected, sqlite.CountByGroup(Compile.Sqlite(parsed)));
        Assert.Equal(expected, await postgres.CountByGroupAsync(Compile.Postgres(parsed)));
    }

    [Fact]
    public void Parse_EmptyQuery_SelectsRowsWithoutDivision()
    {
        var query = ListFilter.Parse("", Compile.Custom, allowGroupBy: false);

        var isNull = Assert.IsType<IsNullCondition>(query.Filter);
        Assert.Equal("TemporalNamespaceDivision", isNull.Attribute.Name);
        Assert.False(isNull.Negated);
    }

    [Fact]
    public void Parse_UserFilter_IsAndedWithTheImplicitDivision()
    {
        var query = ListFilter.Parse("WorkflowId = 'a' OR WorkflowId = 'b'", Compile.Custom, allowGroupBy: false);

        var and = Assert.IsType<AndCondition>(query.Filter);
        Assert.IsType<OrCondition>(and.Operands[0]);
        Assert.Equal("TemporalNamespaceDivision", Assert.IsType<IsNullCondition>(and.Operands[1]).Attribute.Name);
    }

    [Fact]
    public void Parse_QueryNamingTheDivision_IsLeftAsWritten()
    {
        var query = ListFilter.Parse("TemporalNamespaceDivision = 'TemporalScheduler'", Compile.Custom, allowGroupBy: false);

        var comparison = Assert.IsType<ComparisonCondition>(query.Filter);
        Assert.Equal("TemporalScheduler", comparison.Value);
    }
}
