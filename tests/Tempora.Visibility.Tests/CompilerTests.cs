using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>The SQL and parameters each construct compiles to, per dialect.</summary>
public sealed class CompilerTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t\n ")]
    public void Compile_EmptyQuery_MatchesAll(string? query)
    {
        var sqlite = Compile.Sqlite(query);
        var postgres = Compile.Postgres(query);
        Assert.Equal("1=1", sqlite.Where);
        Assert.Equal("TRUE", postgres.Where);
        Assert.Empty(sqlite.Parameters);
        Assert.Empty(postgres.Parameters);
        Assert.Null(sqlite.GroupBy);
    }

    [Fact]
    public void Compile_KeywordColumn_ComparesColumnWithParameter()
    {
        var sqlite = Compile.Sqlite("WorkflowId = 'wf-1'");
        Assert.Equal("(workflow_id = $q0)", sqlite.Where);
        Assert.Equal(["wf-1"], sqlite.Parameters);

        var postgres = Compile.Postgres("`WorkflowId` != \"wf-1\"");
        Assert.Equal("(workflow_id <> $2::text)", postgres.Where);
        Assert.Equal(["wf-1"], postgres.Parameters);
    }

    [Fact]
    public void Compile_KeywordOrdering_UsesByteOrderOnPostgres()
    {
        Assert.Equal("(workflow_id COLLATE \"C\" < $2::text)", Compile.Postgres("WorkflowId < 'm'").Where);
        Assert.Equal("(workflow_id COLLATE \"C\" BETWEEN $2::text AND $3::text)", Compile.Postgres("WorkflowId BETWEEN 'a' AND 'b'").Where);
        Assert.Equal("(workflow_id < $q0)", Compile.Sqlite("WorkflowId < 'm'").Where);
    }

    [Fact]
    public void Compile_StartsWith_ComparesPrefixAsValueNotPattern()
    {
        var sqlite = Compile.Sqlite("WorkflowId STARTS_WITH 'a%_'");
        Assert.Equal("(substr(workflow_id, 1, length($q0)) = $q0)", sqlite.Where);
        Assert.Equal(["a%_"], sqlite.Parameters);

        var postgres = Compile.Postgres("WorkflowId NOT STARTS_WITH 'a%_'");
        Assert.Equal("(NOT starts_with(workflow_id COLLATE \"C\", $2::text))", postgres.Where);
        Assert.DoesNotContain("LIKE", postgres.Where, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("'Running'", 1L)]
    [InlineData("'running'", 1L)]
    [InlineData("'Completed'", 2L)]
    [InlineData("'Failed'", 3L)]
    [InlineData("'Canceled'", 4L)]
    [InlineData("'Terminated'", 5L)]
    [InlineData("'ContinuedAsNew'", 6L)]
    [InlineData("'TimedOut'", 7L)]
    [InlineData("'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW'", 6L)]
    [InlineData("'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'", 7L)]
    [InlineData("3", 3L)]
    public void Compile_ExecutionStatus_MapsNamesAndIntegersToStatusColumn(string value, long expected)
    {
        var sqlite = Compile.Sqlite($"ExecutionStatus = {value}");
        Assert.Equal("(status = $q0)", sqlite.Where);
        Assert.Equal([expected], sqlite.Parameters);
        Assert.Equal("(status = $2::bigint)", Compile.Postgres($"ExecutionStatus = {value}").Where);
    }

    [Fact]
    public void Compile_InList_HasOneParameterPerValue()
    {
        var sqlite = Compile.Sqlite("ExecutionStatus IN ('Running', 'Failed') AND WorkflowType NOT IN ('a', 'b', 'c')");
        Assert.Equal("((status IN ($q0, $q1)) AND (workflow_type_name NOT IN ($q2, $q3, $q4)))", sqlite.Where);
        Assert.Equal([1L, 3L, "a", "b", "c"], sqlite.Parameters);
    }

    [Fact]
    public void Compile_DatetimeColumn_BindsMicrosecondsOnSqliteAndDateTimeOffsetOnPostgres()
    {
        const string query = "StartTime >= '2024-05-01T14:00:00.1234567+02:00'";
        var sqlite = Compile.Sqlite(query);
        Assert.Equal("(start_time >= $q0)", sqlite.Where);
        var expected = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        Assert.Equal([(expected - DateTimeOffset.UnixEpoch).Ticks / 10], sqlite.Parameters);

        var postgres = Compile.Postgres(query);
        Assert.Equal("(start_time >= $2::timestamptz)", postgres.Where);
        var value = Assert.IsType<DateTimeOffset>(Assert.Single(postgres.Parameters));
        Assert.Equal(expected, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Fact]
    public void Compile_DatetimeEpochNanoseconds_TruncatesToMicroseconds()
    {
        var sqlite = Compile.Sqlite("CloseTime < 1714564800123456789");
        Assert.Equal([1714564800123456L], sqlite.Parameters);
        var negative = Compile.Sqlite("CloseTime < -1500");
        Assert.Equal([-2L], negative.Parameters); // floored, like Go's time.Unix(0, ns)
    }

    [Fact]
    public void Compile_CustomDatetime_ComparesFixedFormatStrings()
    {
        var sqlite = Compile.Sqlite("CustomDatetime > '2024-05-01T14:00:00+02:00'");
        Assert.Equal(
            "((CASE WHEN json_type(search_attributes, '$.\"' || $q0 || '\"') = 'text' THEN json_extract(search_attributes, '$.\"' || $q0 || '\"') END) > $q1)",
            sqlite.Where);
        Assert.Equal(["CustomDatetime", "2024-05-01T12:00:00.000000Z"], sqlite.Parameters);

        var postgres = Compile.Postgres("CustomDatetime > 1714564800000001000");
        Assert.Equal(
            "((CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'string' THEN search_attributes ->> $2::text END) COLLATE \"C\" > $3::text)",
            postgres.Where);
        Assert.Equal(["CustomDatetime", "2024-05-01T12:00:00.000001Z"], postgres.Parameters);
    }

    [Fact]
    public void Compile_CustomScalars_CastOnPostgres()
    {
        Assert.Equal("((CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'number' THEN (search_attributes ->> $2::text)::numeric END) > $3::bigint)",
            Compile.Postgres("CustomInt > 5").Where);
        Assert.Equal(
            "((CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'number' THEN (search_attributes ->> $2::text)::double precision END) <= $3::double precision)",
            Compile.Postgres("CustomDouble <= 2.5").Where);
        Assert.Equal("((CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'boolean' THEN (search_attributes ->> $2::text)::boolean END) = $3::boolean)",
            Compile.Postgres("CustomBool = true").Where);
        Assert.Equal(
            "((CASE WHEN json_type(search_attributes, '$.\"' || $q0 || '\"') IN ('true', 'false') THEN json_extract(search_attributes, '$.\"' || $q0 || '\"') END) = $q1)",
            Compile.Sqlite("CustomBool = true").Where);
        var sqlite = Compile.Sqlite("CustomDouble <= 2");
        Assert.Equal(["CustomDouble", 2.0], sqlite.Parameters);
    }

    [Fact]
    public void Compile_CustomName_IsAParameterUsedOncePerQuery()
    {
        var sqlite = Compile.Sqlite("CustomInt > 1 AND CustomInt < 9 OR `Dotted.Name` = 'x'");
        Assert.Equal(["CustomInt", 1L, 9L, "Dotted.Name", "x"], sqlite.Parameters);
        Assert.DoesNotContain("CustomInt", sqlite.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("Dotted", sqlite.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_KeywordList_ContainsAndKeepsNullForMissing()
    {
        var sqlite = Compile.Sqlite("CustomKeywordList = 'red'");
        Assert.Equal(
            "(CASE WHEN json_type(search_attributes, '$.\"' || $q0 || '\"') = 'array' THEN EXISTS (SELECT 1 FROM " +
            "json_each(search_attributes, '$.\"' || $q0 || '\"') WHERE json_each.value IN ($q1)) END)", sqlite.Where);

        var postgres = Compile.Postgres("BuildIds NOT IN ('a', 'b')");
        Assert.Equal(
            "(NOT (CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'array' THEN (search_attributes -> $2::text) @> " +
            "ANY (ARRAY[jsonb_build_array($3::text), jsonb_build_array($4::text)]) END))",
            postgres.Where);
        Assert.Equal(["BuildIds", "a", "b"], postgres.Parameters);
        Assert.Equal("(CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'array' THEN (search_attributes -> $2::text) @> jsonb_build_array($3::text) END)",
            Compile.Postgres("BuildIds = 'a'").Where);
        Assert.DoesNotContain("?", postgres.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_Text_MatchesWords()
    {
        var sqlite = Compile.Sqlite("CustomText = 'Quick, brown-fox!'");
        Assert.Equal(
            "(CASE WHEN json_type(search_attributes, '$.\"' || $q0 || '\"') = 'text' THEN " +
            "tempora_text_match(json_extract(search_attributes, '$.\"' || $q0 || '\"'), $q1) END)", sqlite.Where);
        Assert.Equal(["CustomText", "Quick brown fox"], sqlite.Parameters);

        var postgres = Compile.Postgres("CustomText != 'fox'");
        Assert.Equal(
            "(NOT (to_tsvector('simple', regexp_replace((CASE WHEN jsonb_typeof(search_attributes -> $2::text) = 'string' THEN search_attributes ->> $2::text END), " +
            "'[\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]+', ' ', 'g')) " +
            "@@ plainto_tsquery('simple', $3::text)))", postgres.Where);
    }

    [Fact]
    public void Compile_BooleanStructure_KeepsPrecedence()
    {
        var sqlite = Compile.Sqlite("WorkflowId = 'a' OR WorkflowId = 'b' AND NOT (RunId = 'c' OR RunId IS NULL)");
        Assert.Equal("((workflow_id = $q0) OR ((workflow_id = $q1) AND (NOT ((run_id = $q2) OR (run_id IS NULL)))))", sqlite.Where);
        var notFirst = Compile.Sqlite("not WorkflowId = 'a' and RunId is not null");
        Assert.Equal("((NOT (workflow_id = $q0)) AND (run_id IS NOT NULL))", notFirst.Where);
    }

    [Fact]
    public void Compile_LongChain_IsWrittenAsBalancedGroups()
    {
        var query = string.Join(" OR ", Enumerable.Range(0, 20).Select(i => $"HistoryLength = {i}"));
        var where = Compile.Sqlite(query).Where;
        var depth = 0;
        var maxDepth = 0;
        foreach (var c in where)
        {
            depth += c switch { '(' => 1, ')' => -1, _ => 0 };
            maxDepth = Math.Max(maxDepth, depth);
        }
        Assert.Equal(0, depth);
        Assert.InRange(maxDepth, 3, 5); // 20 -> 10 + 10 -> 5 + 5 groups, each predicate parenthesized
        Assert.Equal(20, where.Split(" OR ").Length);
    }

    [Theory]
    [InlineData("ExecutionDuration > 1000", 1000L)]
    [InlineData("ExecutionDuration > '1000'", 1000L)]
    [InlineData("ExecutionDuration > '300ms'", 300_000_000L)]
    [InlineData("ExecutionDuration > '2h45m'", 9_900_000_000_000L)]
    [InlineData("ExecutionDuration > '1d'", 86_400_000_000_000L)]
    [InlineData("ExecutionDuration > '1.5h'", 5_400_000_000_000L)]
    [InlineData("ExecutionDuration > '-1.5s'", -1_500_000_000L)]
    [InlineData("ExecutionDuration > '1us2µs3μs4ns'", 6004L)]
    [InlineData("ExecutionDuration > '01:02:03'", 3_723_000_000_000L)]
    [InlineData("ExecutionDuration > '100:00:00'", 360_000_000_000_000L)]
    public void Compile_ExecutionDuration_AcceptsNanosecondsAndDurationStrings(string query, long nanos)
    {
        var sqlite = Compile.Sqlite(query);
        Assert.Equal("(execution_duration > $q0)", sqlite.Where);
        Assert.Equal([nanos], sqlite.Parameters);
    }

    [Theory]
    [InlineData("GROUP BY ExecutionStatus", "1=1")]
    [InlineData("group by `ExecutionStatus`", "1=1")]
    [InlineData("WorkflowType = 'x' GROUP BY ExecutionStatus", "(workflow_type_name = $q0)")]
    public void Compile_GroupByExecutionStatus_WhenAllowed(string query, string where)
    {
        var compiled = Compile.Sqlite(query, allowGroupBy: true);
        Assert.Equal(where, compiled.Where);
        Assert.Equal("status", compiled.GroupBy);
    }

    [Fact]
    public void Compile_PredefinedAttributes_LiveInSearchAttributes()
    {
        var sqlite = Compile.Sqlite("TemporalChangeVersion = 'p1' AND TemporalSchedulePaused = false AND BatcherUser IS NULL");
        Assert.Equal(["TemporalChangeVersion", "p1", "TemporalSchedulePaused", false, "BatcherUser"], sqlite.Parameters);
    }

    [Fact]
    public void Compile_Keywords_AreCaseInsensitive()
    {
        var upper = Compile.Sqlite("WorkflowId IN ('a') AND RunId IS NOT NULL OR NOT WorkflowType BETWEEN 'a' AND 'b'");
        var lower = Compile.Sqlite("WorkflowId in ('a') and RunId is not null or not WorkflowType between 'a' and 'b'");
        Assert.Equal(upper.Where, lower.Where);
    }

    [Theory]
    [InlineData("WorkflowId = 'it''s'", "it's")]
    [InlineData("WorkflowId = \"say \"\"hi\"\"\"", "say \"hi\"")]
    [InlineData("WorkflowId = 'a\"b'", "a\"b")]
    [InlineData("WorkflowId = \"a'b\"", "a'b")]
    [InlineData("WorkflowId = 'C:\\path\\n'", "C:\\path\\n")]
    [InlineData("WorkflowId = ''", "")]
    [InlineData("WorkflowId = 'ünï 工作 😀'", "ünï 工作 😀")]
    [InlineData("WorkflowId = 'line1\nline2'", "line1\nline2")]
    public void Compile_StringLiterals_DoubledQuotesEscapeAndBackslashIsLiteral(string query, string expected)
    {
        Assert.Equal([expected], Compile.Sqlite(query).Parameters);
    }

    [Fact]
    public void SystemAttributes_ListsSystemAndPredefinedTypes()
    {
        var all = ListFilter.SystemAttributes;
        Assert.Equal(SearchAttributeType.Keyword, all["WorkflowId"]);
        Assert.Equal(SearchAttributeType.Keyword, all["ExecutionStatus"]);
        Assert.Equal(SearchAttributeType.Datetime, all["CloseTime"]);
        Assert.Equal(SearchAttributeType.Int, all["ExecutionDuration"]);
        Assert.Equal(SearchAttributeType.KeywordList, all["TemporalChangeVersion"]);
        Assert.Equal(SearchAttributeType.KeywordList, all["BuildIds"]);
        Assert.Equal(SearchAttributeType.Bool, all["TemporalSchedulePaused"]);
        Assert.Equal(SearchAttributeType.Datetime, all["TemporalScheduledStartTime"]);
        Assert.Equal(31, all.Count);
        Assert.False(all.ContainsKey("workflowid"));
    }

    [Fact]
    public void Compile_SystemNameWinsOverCustomWithSameName()
    {
        var custom = new Dictionary<string, SearchAttributeType> { ["WorkflowId"] = SearchAttributeType.Int };
        var compiled = Compile.With("WorkflowId = 'x'", custom, SqlDialect.Sqlite, i => $"$q{i}", allowGroupBy: false);
        Assert.Equal("(workflow_id = $q0)", compiled.Where);
    }
}
