using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>Invalid queries throw InvalidQueryException whose message names the problem (and where it is).</summary>
public sealed class ErrorTests
{
    [Theory]
    [InlineData("WorkflowId = 'a'; DROP TABLE x", "unexpected token ';' at position 17")]
    [InlineData("WorkflowId = 'a' -- comment", "comments are not supported at position 18")]
    [InlineData("WorkflowId = 'a' /* c */", "comments are not supported at position 18")]
    [InlineData("WorkflowId = 'a' # c", "comments are not supported at position 18")]
    [InlineData("Foo = 'a'", "unknown search attribute 'Foo' at position 1")]
    [InlineData("workflowId = 'a'", "unknown search attribute 'workflowId' at position 1 (names are case-sensitive; did you mean 'WorkflowId'?)")]
    [InlineData("WorkflowId = abc", "'abc' is a name, not a value at position 14")]
    [InlineData("WorkflowId = RunId", "did you forget to quote 'RunId'?")]
    [InlineData("ExecutionStatus = Running", "did you forget to quote 'Running'?")]
    [InlineData("WorkflowId LIKE 'a%'", "LIKE is not supported at position 12")]
    [InlineData("WorkflowId NOT LIKE 'a%'", "LIKE is not supported")]
    [InlineData("lower(WorkflowId) = 'a'", "function call 'lower(' at position 1 (functions are not supported)")]
    [InlineData("WorkflowId = lower('A')", "functions are not supported")]
    [InlineData("WorkflowId = 'a' LIMIT 10", "LIMIT is not supported at position 18")]
    [InlineData("WorkflowId = 'a' ORDER BY StartTime", "ORDER BY is not supported at position 18")]
    [InlineData("ORDER BY StartTime DESC", "ORDER BY is not supported at position 1")]
    [InlineData("WorkflowId IN (SELECT run_id FROM x)", "sub-queries are not supported at position 16")]
    [InlineData("(SELECT 1)", "sub-queries are not supported")]
    [InlineData("WorkflowId = 'a' UNION SELECT 1", "UNION is not supported")]
    [InlineData("WorkflowId = 'a", "unterminated string at position 14")]
    [InlineData("`WorkflowId = 'a'", "unterminated back-quoted name at position 1")]
    [InlineData("WorkflowId = 'a' AND", "incomplete expression: expected a search attribute name at position 21")]
    [InlineData("WorkflowId =", "incomplete expression: expected a value after '='")]
    [InlineData("WorkflowId", "incomplete expression: expected an operator after 'WorkflowId'")]
    [InlineData("(WorkflowId = 'a'", "unclosed parenthesis at position 1")]
    [InlineData("WorkflowId = 'a')", "unexpected token ')' at position 17")]
    [InlineData("()", "unexpected token ')'")]
    [InlineData("WorkflowId == 'a'", "unexpected token '='")]
    [InlineData("WorkflowId = NULL", "NULL is not a value to compare with at position 14 (use IS NULL or IS NOT NULL)")]
    [InlineData("WorkflowId IS 'a'", "IS can only be used as IS NULL or IS NOT NULL")]
    [InlineData("WorkflowId IN ()", "empty IN list")]
    [InlineData("WorkflowId IN 'a'", "expected '(' after IN")]
    [InlineData("WorkflowId BETWEEN 'a' OR 'b'", "expected AND in BETWEEN")]
    [InlineData("'a' = WorkflowId", "expected a search attribute name but found string 'a' at position 1")]
    [InlineData("WorkflowId = 'a' && RunId = 'b'", "unexpected character '&'")]
    [InlineData("WorkflowId = 'a' || RunId = 'b'", "unexpected character '|'")]
    [InlineData("WorkflowId ~ 'a'", "unexpected character '~'")]
    [InlineData("WorkflowId = 'a' RunId = 'b'", "unexpected token 'RunId' at position 18")]
    [InlineData("WorkflowId NOT = 'a'", "expected IN, BETWEEN or STARTS_WITH after NOT")]
    [InlineData("GROUP ExecutionStatus", "expected BY after GROUP")]
    [InlineData("``= 'a'", "empty back-quoted name")]
    [InlineData("WorkflowId = 'a\0b'", "NUL character in string at position 16")]
    public void Compile_InvalidSyntax_Throws(string query, string expected)
    {
        Assert.Contains(expected, Compile.Error(query), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CustomInt = 'abc'", "string 'abc' is not a valid value for search attribute 'CustomInt' of type Int at position 13 (expected an integer)")]
    [InlineData("CustomInt = 1.5", "'1.5' is not a valid value for search attribute 'CustomInt' of type Int")]
    [InlineData("CustomInt = true", "'true' is not a valid value for search attribute 'CustomInt' of type Int")]
    [InlineData("CustomInt = 99999999999999999999", "integer '99999999999999999999' out of range")]
    [InlineData("CustomDouble = 'x'", "of type Double at position 16 (expected a number)")]
    [InlineData("CustomDouble = 1e999", "number '1e999' out of range")]
    [InlineData("CustomBool = 1", "of type Bool at position 14 (expected true or false)")]
    [InlineData("CustomBool = 'true'", "of type Bool")]
    [InlineData("CustomKeyword = 5", "'5' is not a valid value for search attribute 'CustomKeyword' of type Keyword at position 17 (expected a quoted string)")]
    [InlineData("WorkflowId = true", "of type Keyword")]
    [InlineData("CustomKeywordList = 5", "of type KeywordList")]
    [InlineData("CustomText = 5", "of type Text")]
    [InlineData("StartTime > 'yesterday'", "invalid datetime 'yesterday' for StartTime at position 13")]
    [InlineData("StartTime > '2024-02-30T00:00:00Z'", "invalid datetime '2024-02-30T00:00:00Z'")]
    [InlineData("StartTime > '2024-01-01 00:00:00'", "invalid datetime")]
    [InlineData("StartTime > '2024-01-01T00:00:00'", "invalid datetime")]
    [InlineData("StartTime > 1.5", "of type Datetime")]
    [InlineData("CustomDatetime > '0001-01-01T00:00:00+01:00'", "invalid datetime")]
    [InlineData("ExecutionStatus = 'Sleeping'", "invalid ExecutionStatus value string 'Sleeping' at position 19")]
    [InlineData("ExecutionStatus = 9", "invalid ExecutionStatus value '9'")]
    [InlineData("ExecutionDuration > '5 minutes'", "invalid ExecutionDuration value string '5 minutes'")]
    [InlineData("ExecutionDuration > '1:60:00'", "invalid ExecutionDuration value")]
    [InlineData("ExecutionDuration > '99999999999h'", "invalid ExecutionDuration value")]
    [InlineData("ExecutionDuration > 1h", "invalid number '1h' at position 21 (durations, dates and other text values need quotes)")]
    [InlineData("HistoryLength > '10'", "of type Int")]
    public void Compile_ValueOfWrongType_Throws(string query, string expected)
    {
        Assert.Contains(expected, Compile.Error(query), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CustomText > 'a'", "operator > is not supported for search attribute 'CustomText' of type Text")]
    [InlineData("CustomText IN ('a')", "operator IN is not supported for search attribute 'CustomText' of type Text")]
    [InlineData("CustomText STARTS_WITH 'a'", "operator STARTS_WITH is not supported for search attribute 'CustomText'")]
    [InlineData("CustomText BETWEEN 'a' AND 'b'", "operator BETWEEN is not supported")]
    [InlineData("CustomKeywordList < 'a'", "operator < is not supported for search attribute 'CustomKeywordList' of type KeywordList")]
    [InlineData("CustomKeywordList STARTS_WITH 'a'", "operator STARTS_WITH is not supported")]
    [InlineData("CustomKeywordList BETWEEN 'a' AND 'b'", "operator BETWEEN is not supported")]
    [InlineData("CustomBool > false", "operator > is not supported for search attribute 'CustomBool' of type Bool")]
    [InlineData("CustomInt STARTS_WITH '1'", "operator STARTS_WITH is not supported for search attribute 'CustomInt' of type Int")]
    [InlineData("StartTime NOT STARTS_WITH '2024'", "operator NOT STARTS_WITH is not supported")]
    [InlineData("ExecutionStatus > 'Running'", "operator > is not supported for search attribute 'ExecutionStatus'")]
    [InlineData("ExecutionStatus STARTS_WITH 'Run'", "operator STARTS_WITH is not supported")]
    public void Compile_OperatorNotSupportedForType_Throws(string query, string expected)
    {
        var message = Compile.Error(query);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Contains("supported: ", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CustomText = ''")]
    [InlineData("CustomText = '  !!! -- '")]
    public void Compile_TextWithoutWords_Throws(string query)
    {
        Assert.Contains("has no words to match in Text search attribute 'CustomText'", Compile.Error(query), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_GroupBy_OnlyExecutionStatusAndOnlyWhenAllowed()
    {
        Assert.Contains("GROUP BY is not supported here", Compile.Error("GROUP BY ExecutionStatus"), StringComparison.Ordinal);
        Assert.Contains("GROUP BY is not supported for search attribute 'WorkflowType'",
            Compile.Error("GROUP BY WorkflowType", allowGroupBy: true), StringComparison.Ordinal);
        Assert.Contains("unknown search attribute 'Nope'", Compile.Error("GROUP BY Nope", allowGroupBy: true), StringComparison.Ordinal);
        Assert.Contains("GROUP BY supports only a single field",
            Compile.Error("GROUP BY ExecutionStatus, WorkflowType", allowGroupBy: true), StringComparison.Ordinal);
        Assert.Contains("ORDER BY is not supported",
            Compile.Error("GROUP BY ExecutionStatus ORDER BY StartTime", allowGroupBy: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_TooLong_Throws()
    {
        var query = "WorkflowId = '" + new string('a', ListFilter.MaxQueryLength) + "'";
        Assert.Equal("invalid query: query is longer than 32768 characters", Compile.Error(query));
    }

    [Fact]
    public void Compile_TooDeep_Throws()
    {
        var parens = new string('(', 101) + "WorkflowId = 'a'" + new string(')', 101);
        Assert.Contains("expression nested deeper than 100 levels at position 101", Compile.Error(parens), StringComparison.Ordinal);
        var nots = string.Concat(Enumerable.Repeat("NOT ", 101)) + "WorkflowId = 'a'";
        Assert.Contains("expression nested deeper than 100 levels", Compile.Error(nots), StringComparison.Ordinal);

        var ok = new string('(', 100) + "WorkflowId = 'a'" + new string(')', 100);
        Assert.Equal("(workflow_id = $q0)", Compile.Sqlite(ok).Where);
    }

    [Fact]
    public void Compile_CustomNameThatCannotBeAJsonKey_Throws()
    {
        var custom = new Dictionary<string, SearchAttributeType> { ["Bad\"Name"] = SearchAttributeType.Keyword, ["Back\\slash"] = SearchAttributeType.Int };
        var quote = Assert.Throws<InvalidQueryException>(() =>
            Compile.With("`Bad\"Name` = 'x'", custom, SqlDialect.Sqlite, i => $"$q{i}", allowGroupBy: false));
        Assert.Contains("search attribute name 'Bad\"Name' cannot be queried", quote.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidQueryException>(() =>
            Compile.With("`Back\\slash` = 1", custom, SqlDialect.Postgres, i => $"${i + 1}", allowGroupBy: false));
        Assert.False(ListFilter.IsUsableCustomName("a\"b"));
        Assert.True(ListFilter.IsUsableCustomName("O'Brien Ünïcode.x"));
    }

    [Fact]
    public void Compile_UnpairedSurrogate_Throws()
    {
        Assert.Contains("invalid UTF-16 (unpaired surrogate) at position 16", Compile.Error("WorkflowId = 'a\ud800b'"), StringComparison.Ordinal);
    }
}
