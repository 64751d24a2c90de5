namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// ListSchedules/CountSchedules filters (<see cref="ListFilter.ParseScheduleQuery"/>): schedule rows only, the ScheduleId
/// alias, and Temporal 1.28's limits on what a schedule query may name.
/// </summary>
public sealed class ScheduleQueryTests(SqliteVisibilityDatabase sqlite, PostgresVisibilityDatabase postgres)
    : IClassFixture<SqliteVisibilityDatabase>, IClassFixture<PostgresVisibilityDatabase>
{
    private static readonly Dictionary<string, Func<string, SeedRow, bool>> Cases = new(StringComparer.Ordinal)
    {
        [""] = (_, _) => true,
        ["   "] = (_, _) => true,
        ["TemporalSchedulePaused = true"] = (_, r) => r.SchedulePaused == true,
        ["TemporalSchedulePaused = false AND CustomKeyword = 'alpha'"] = (_, r) => r.SchedulePaused == false && r.CustomKeyword == "alpha",
        ["CustomInt >= 20 OR CustomKeyword IS NULL"] = (_, r) => r.CustomInt >= 20 || r.CustomKeyword is null,
        ["ScheduleId = 'nightly-report'"] = (id, _) => id == "nightly-report",
        ["ScheduleId = 'O''Brien''s'"] = (id, _) => id == "O'Brien's",
        ["ScheduleId != 'nightly-report'"] = (id, _) => id != "nightly-report",
        ["ScheduleId IN ('hourly-sync', 'paused-one', 'missing')"] = (id, _) => id is "hourly-sync" or "paused-one",
        ["ScheduleId NOT IN ('hourly-sync')"] = (id, _) => id != "hourly-sync",
        ["ScheduleId STARTS_WITH 'order'"] = (id, _) => id.StartsWith("order", StringComparison.Ordinal),
        ["ScheduleId NOT STARTS_WITH 'order'"] = (id, _) => !id.StartsWith("order", StringComparison.Ordinal),
        ["ScheduleId BETWEEN 'h' AND 'o'"] = (id, _) => string.CompareOrdinal(id, "h") >= 0 && string.CompareOrdinal(id, "o") <= 0,
        ["ScheduleId > 'n'"] = (id, _) => string.CompareOrdinal(id, "n") > 0,
        ["NOT (ScheduleId = 'nightly-report' OR TemporalSchedulePaused = true)"] = (id, r) => id != "nightly-report" && r.SchedulePaused != true,
    };

    public static TheoryData<string> Queries => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task ScheduleQuery_BothDialects_SelectTheNamespacesSchedules(string query)
    {
        var expected = SeedData.Main
            .Where(r => r.NamespaceDivision == ScheduleVisibility.NamespaceDivision)
            .Where(r => Cases[query](r.WorkflowId[ScheduleVisibility.WorkflowIdPrefix.Length..], r))
            .Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var parsed = ListFilter.ParseScheduleQuery(query, Compile.Custom);

        Assert.Equal(expected, sqlite.RunIds(Compile.Sqlite(parsed)));
        Assert.Equal(expected, await postgres.RunIdsAsync(Compile.Postgres(parsed)));
    }

    [Fact]
    public void Cases_AreSelective()
    {
        var schedules = SeedData.Main.Where(r => r.NamespaceDivision == ScheduleVisibility.NamespaceDivision).ToList();
        Assert.Equal(SeedData.ScheduleIds.Length, schedules.Count);
        var selective = Cases.Values.Count(p => schedules.Any(r => p(r.WorkflowId[ScheduleVisibility.WorkflowIdPrefix.Length..], r))
            && !schedules.All(r => p(r.WorkflowId[ScheduleVisibility.WorkflowIdPrefix.Length..], r)));
        Assert.Equal(Cases.Count - 2, selective); // all but the two empty queries
    }

    [Fact]
    public void Parse_EmptyQuery_IsTheSchedulerDivision()
    {
        var query = ListFilter.ParseScheduleQuery(null, Compile.Custom);

        var division = Assert.IsType<ComparisonCondition>(query.Filter);
        Assert.Equal("TemporalNamespaceDivision", division.Attribute.Name);
        Assert.Equal(ComparisonOperator.Equal, division.Operator);
        Assert.Equal("TemporalScheduler", division.Value);
        Assert.False(query.GroupByStatus);
    }

    [Fact]
    public void Parse_UserFilter_IsAndedWithTheSchedulerDivision()
    {
        var query = ListFilter.ParseScheduleQuery("CustomKeyword = 'a' OR CustomInt = 1", Compile.Custom);

        var and = Assert.IsType<AndCondition>(query.Filter);
        Assert.Equal("TemporalScheduler", Assert.IsType<ComparisonCondition>(and.Operands[0]).Value);
        Assert.IsType<OrCondition>(and.Operands[1]);
    }

    [Fact]
    public void Parse_ScheduleId_IsThePrefixedWorkflowId()
    {
        var query = ListFilter.ParseScheduleQuery("ScheduleId IN ('a', 'b') AND ScheduleId STARTS_WITH 'c' AND ScheduleId BETWEEN 'd' AND 'e'", Compile.Custom);

        var user = Assert.IsType<AndCondition>(Assert.IsType<AndCondition>(query.Filter).Operands[1]);
        var inList = Assert.IsType<InCondition>(user.Operands[0]);
        Assert.Equal(VisibilityField.WorkflowId, inList.Attribute.Field);
        Assert.Equal(["temporal-sys-scheduler:a", "temporal-sys-scheduler:b"], inList.Values);
        Assert.Equal("temporal-sys-scheduler:c", Assert.IsType<StartsWithCondition>(user.Operands[1]).Prefix);
        var between = Assert.IsType<BetweenCondition>(user.Operands[2]);
        Assert.Equal(("temporal-sys-scheduler:d", "temporal-sys-scheduler:e"), (between.From, between.To));
    }

    [Fact]
    public void Parse_ScheduleIdInAWorkflowQuery_IsTheAliasToo()
    {
        var query = ListFilter.Parse("ScheduleId = 'x'", Compile.Custom, allowGroupBy: false);

        var comparison = Assert.IsType<ComparisonCondition>(Assert.IsType<AndCondition>(query.Filter).Operands[0]);
        Assert.Equal(VisibilityField.WorkflowId, comparison.Attribute.Field);
        Assert.Equal("temporal-sys-scheduler:x", comparison.Value);
    }

    [Fact]
    public void Parse_CustomScheduleIdAttribute_WinsOverTheAlias()
    {
        var custom = new Dictionary<string, SearchAttributeType>(Compile.Custom) { ["ScheduleId"] = SearchAttributeType.Keyword };

        var query = ListFilter.ParseScheduleQuery("ScheduleId = 'x'", custom);

        var comparison = Assert.IsType<ComparisonCondition>(Assert.IsType<AndCondition>(query.Filter).Operands[1]);
        Assert.Null(comparison.Attribute.Field);
        Assert.Equal("x", comparison.Value);
    }

    [Theory]
    [InlineData("WorkflowId = 'temporal-sys-scheduler:a'", "WorkflowId")]
    [InlineData("ExecutionDuration > '1s'", "ExecutionDuration")]
    [InlineData("CustomKeyword = 'a' OR ExecutionStatus = 'Running'", "ExecutionStatus")]
    [InlineData("TemporalNamespaceDivision = 'TemporalBatcher'", "TemporalNamespaceDivision")]
    [InlineData("TemporalNamespaceDivision IS NULL OR TemporalNamespaceDivision IS NOT NULL", "TemporalNamespaceDivision")]
    [InlineData("TemporalScheduledById = 'x'", "TemporalScheduledById")]
    [InlineData("BuildIds = 'build-1'", "BuildIds")]
    [InlineData("GROUP BY ExecutionStatus", "ExecutionStatus")]
    [InlineData("StartTime > '2024-01-01T00:00:00Z' AND CloseTime IS NULL", "StartTime")]
    public void Parse_SystemOrReservedAttribute_IsRefusedWithTemporalsMessage(string query, string attribute)
    {
        var e = Assert.Throws<InvalidQueryException>(() => ListFilter.ParseScheduleQuery(query, Compile.Custom));

        Assert.Equal($"invalid query filter for schedules: cannot filter on \"{attribute}\"", e.Message);
    }

    [Theory]
    [InlineData("Foo = 'x'", "unknown search attribute 'Foo'")]
    [InlineData("WorkflowId = 'x' AND Foo = 'x'", "unknown search attribute 'Foo'")]
    [InlineData("CustomKeyword = alpha", "invalid query: ")]
    [InlineData("CustomKeyword = 'a' GROUP BY CustomKeyword", "GROUP BY is not supported for search attribute 'CustomKeyword'")]
    [InlineData("ScheduleId = 5", "ScheduleId")]
    [InlineData("ScheduleId STARTS_WITH", "invalid query: ")]
    [InlineData("scheduleid = 'x'", "did you mean 'ScheduleId'?")]
    public void Parse_MalformedOrUnknown_IsAnInvalidQueryFirst(string query, string expected)
    {
        // As upstream, the query is checked as a whole before the schedule limits apply.
        var e = Assert.Throws<InvalidQueryException>(() => ListFilter.ParseScheduleQuery(query, Compile.Custom));

        Assert.StartsWith("invalid query: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
