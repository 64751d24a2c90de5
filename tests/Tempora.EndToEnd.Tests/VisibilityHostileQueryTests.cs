using Google.Protobuf;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Invalid and hostile list filters against the seeded server of <see cref="VisibilityFixture"/>: each is refused with
/// InvalidArgument and a message that says what is wrong (never an internal error), and afterwards the server still
/// lists every seeded run.
/// </summary>
[Collection(VisibilityCollection.Name)]
public sealed class VisibilityHostileQueryTests(VisibilityFixture fixture, ITestOutputHelper output)
{
    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    public static TheoryData<string, string> InvalidQueries => new()
    {
        // Names and types
        { "NoSuchAttribute = 'x'", "unknown search attribute 'NoSuchAttribute'" },
        { "executionstatus = 'Running'", "did you mean 'ExecutionStatus'" },
        { "VisInt = 'abc'", "is not a valid value for search attribute 'VisInt' of type Int" },
        { "VisKeyword = 5", "is not a valid value for search attribute 'VisKeyword'" },
        { "VisBool = 'yes'", "is not a valid value for search attribute 'VisBool'" },
        { "VisDouble > 'big'", "is not a valid value for search attribute 'VisDouble'" },
        { "VisDatetime > 'yesterday'", "invalid datetime 'yesterday'" },
        { "StartTime > '2024-02-30T00:00:00Z'", "invalid datetime" },
        { "ExecutionStatus = 'Sleeping'", "invalid ExecutionStatus value" },
        { "ExecutionDuration > '5 minutes'", "invalid ExecutionDuration value" },
        { "VisInt = 99999999999999999999", "out of range" },
        { "VisInt = 12abc", "invalid number" },
        { "WorkflowId = RunId", "comparing search attributes with each other is not supported" },
        { "WorkflowId = NULL", "use IS NULL or IS NOT NULL" },
        // Operators that do not fit the type
        { "VisText > 'a'", "operator > is not supported for search attribute 'VisText'" },
        { "VisText IN ('a', 'b')", "operator IN is not supported for search attribute 'VisText'" },
        { "VisKeywordList STARTS_WITH 'tag'", "operator STARTS_WITH is not supported for search attribute 'VisKeywordList'" },
        { "VisKeywordList BETWEEN 'a' AND 'b'", "operator BETWEEN is not supported" },
        { "VisBool > false", "operator > is not supported for search attribute 'VisBool'" },
        { "VisInt STARTS_WITH '1'", "operator STARTS_WITH is not supported for search attribute 'VisInt'" },
        { "ExecutionStatus > 'Running'", "operator > is not supported for search attribute 'ExecutionStatus'" },
        { "VisText = '...'", "has no words to match" },
        // Clauses and syntax the SQL visibility store does not have
        { "ORDER BY StartTime", "ORDER BY is not supported" },
        { "WorkflowType = 'VisQuickWorkflow' ORDER BY StartTime DESC", "ORDER BY is not supported" },
        { "GROUP BY ExecutionStatus", "GROUP BY is not supported here" },
        { "WorkflowId = 'x' LIMIT 1", "LIMIT is not supported" },
        { "WorkflowId LIKE 'vis-%'", "LIKE is not supported" },
        { "WorkflowId NOT LIKE 'vis-%'", "LIKE is not supported" },
        { "lower(WorkflowId) = 'vis-001'", "functions are not supported" },
        { "WorkflowId = concat('vis-', '001')", "functions are not supported" },
        { "WorkflowId IN (SELECT workflow_id FROM executions_visibility)", "sub-queries are not supported" },
        { "WorkflowId = 'abc", "unterminated string" },
        { "WorkflowId = \"abc", "unterminated string" },
        { "`WorkflowId = 'abc'", "unterminated back-quoted name" },
        { "(WorkflowId = 'abc'", "unclosed parenthesis" },
        { "WorkflowId = 'abc')", "unexpected token ')'" },
        { "WorkflowId IN ()", "empty IN list" },
        { "WorkflowId IN ('a', 'b'", "unclosed IN list" },
        { "WorkflowId BETWEEN 'a' OR 'b'", "expected AND in BETWEEN" },
        { "WorkflowId IS 'x'", "IS can only be used as IS NULL or IS NOT NULL" },
        { "WorkflowId =", "incomplete expression" },
        { "WorkflowId", "incomplete expression" },
        { "AND WorkflowId = 'x'", "expected a search attribute name" },
        { "WorkflowId = 'x' AND", "incomplete expression" },
        { "WorkflowId == 'x'", "unexpected token '='" },
        { "'WorkflowId' = 'x'", "names are not quoted" },
        { "1 = 1", "unexpected token '1'" },
        { "NOT", "incomplete expression" },
        // Injection attempts
        { "WorkflowId = 'x'; DROP TABLE executions_visibility; --", "unexpected token ';'" },
        { "WorkflowId = 'x' OR 1=1", "unexpected token '1'" },
        { "WorkflowId = 'x' -- AND ExecutionStatus = 'Running'", "comments are not supported" },
        { "WorkflowId = 'x' /* comment */", "comments are not supported" },
        { "WorkflowId = 'x' # comment", "comments are not supported" },
        { "WorkflowId = 'x' UNION SELECT workflow_id FROM executions", "UNION is not supported" },
        { "WorkflowId = 'x' UNION SELECT * FROM executions", "unexpected character '*'" },
        { @"WorkflowId = 'a\' OR 1=1", "unexpected token '1'" },
        { @"WorkflowId = 'a\' OR 1=1 --'", "comments are not supported" },
        { "WorkflowId = 'x' OR EXISTS (SELECT 1)", "EXISTS is not supported" },
        { "`x') OR 1=1 --` = 'a'", "unknown search attribute" },
        { "`VisKeyword\" = 1 OR \"` = 'x'", "unknown search attribute" },
        { "WorkflowId = 'x' AND VisKeyword @> 'y'", "unexpected character '@'" },
        { "WorkflowId = $1", "unexpected character '$'" },
    };

    [Theory]
    [MemberData(nameof(InvalidQueries))]
    public async Task InvalidQuery_ListAndCount_InvalidArgumentWithMessage(string query, string fragment)
    {
        var list = await Assert.ThrowsAsync<RpcException>(() => Raw.ListWorkflowExecutionsAsync(
            new ListWorkflowExecutionsRequest { Namespace = "default", Query = query }));
        output.WriteLine(list.Message);
        Assert.Equal(RpcException.StatusCode.InvalidArgument, list.Code);
        Assert.Contains(fragment, list.Message, StringComparison.Ordinal);

        if (query != "GROUP BY ExecutionStatus")
        {
            var count = await Assert.ThrowsAsync<RpcException>(() => Client.CountWorkflowsAsync(query));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, count.Code);
            Assert.Contains(fragment, count.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InvalidQuery_NulCharacterAndDeepNesting_InvalidArgumentWithMessage()
    {
        foreach (var (query, fragment) in new[]
        {
            ("WorkflowId = 'a\0b'", "NUL character"),
            (new string('(', 150) + "WorkflowId = 'x'" + new string(')', 150), "nested deeper than 100 levels"),
            (string.Concat(Enumerable.Repeat("NOT ", 5000)) + "WorkflowId = 'x'", "nested deeper than 100 levels"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Raw.ListWorkflowExecutionsAsync(
                new ListWorkflowExecutionsRequest { Namespace = "default", Query = query }));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CountGroupBy_OtherThanExecutionStatus_InvalidArgument()
    {
        foreach (var (query, fragment) in new[]
        {
            ("GROUP BY WorkflowType", "only GROUP BY ExecutionStatus is supported"),
            ("GROUP BY ExecutionStatus, WorkflowType", "GROUP BY supports only a single field"),
            ("GROUP BY NoSuchAttribute", "unknown search attribute"),
            ("GROUP ExecutionStatus", "expected BY after GROUP"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Raw.CountWorkflowExecutionsAsync(
                new CountWorkflowExecutionsRequest { Namespace = "default", Query = query }));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HugeLiterals_InvalidArgumentOrNoMatch_NeverInternal()
    {
        foreach (var query in new[]
        {
            "WorkflowId = '" + new string('a', 100_000) + "'",
            "WorkflowId = '" + new string('a', 30_000) + "'",
            "WorkflowId STARTS_WITH '" + new string('ü', 15_000) + "'",
            "VisText = '" + new string('x', 30_000) + "'",
            "VisKeywordList IN (" + string.Join(", ", Enumerable.Range(0, 3000).Select(i => $"'t{i}'")) + ")",
            "WorkflowId IN (" + string.Join(", ", Enumerable.Range(0, 3000).Select(i => $"'w{i}'")) + ")",
            string.Join(" OR ", Enumerable.Range(0, 1500).Select(i => $"VisInt = {i + 100_000}")),
        })
        {
            try
            {
                var page = await Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = query });
                Assert.Empty(page.Executions);
                Assert.Equal(0, (await Client.CountWorkflowsAsync(query)).Count);
                output.WriteLine($"{query.Length} chars: no match");
            }
            catch (RpcException e)
            {
                output.WriteLine($"{query.Length} chars: {e.Code} {e.Message}");
                Assert.True(e.Code == RpcException.StatusCode.InvalidArgument, $"{query[..40]}… ({query.Length} chars): {e.Code} {e.Message}");
                Assert.StartsWith("invalid query", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task InvalidPageToken_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest
        {
            Namespace = "default",
            PageSize = 5,
            NextPageToken = ByteString.CopyFromUtf8("'; DROP TABLE executions_visibility; --"),
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Contains("NextPageToken", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiteralsThatLookLikeSql_AreValues_MatchNothingAndDropNothing()
    {
        foreach (var query in new[]
        {
            "WorkflowId = 'x''; DROP TABLE executions_visibility; --'",
            "WorkflowId = '\" OR \"\"=\"'",
            "VisKeyword = ''' OR ''1''=''1'",
            "WorkflowId STARTS_WITH '%'' OR 1=1 --'",
            "VisKeywordList = '\"]'' OR 1=1) --'",
            "VisText = 'x'') OR 1=1 --'",
            "`VisKeyword` = 'kw-1'' OR ''a''=''a'",
        })
        {
            var page = await Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = query });
            Assert.True(page.Executions.Count == 0, $"[{query}] matched {page.Executions.Count} runs");
        }
    }

    [Fact]
    public async Task AfterHostileQueries_EverySeededRunIsStillListed()
    {
        // Run a few of the worst again first, in case this test runs before the others.
        foreach (var query in new[]
        {
            "WorkflowId = 'x'; DROP TABLE executions_visibility; --",
            "WorkflowId = 'x''; DROP TABLE executions_visibility; --'",
            "1; DELETE FROM executions_visibility",
        })
        {
            try
            {
                await Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = query });
            }
            catch (RpcException e) when (e.Code == RpcException.StatusCode.InvalidArgument)
            {
                // Refused, as it should be.
            }
        }

        var listed = new List<string>();
        await foreach (var execution in Client.ListWorkflowsAsync(""))
        {
            listed.Add(VisibilityFixture.KeyOf(execution.Id, execution.Status));
        }
        Assert.Equal(fixture.Rows.Select(r => r.Key).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(fixture.Rows.Count, (await Client.CountWorkflowsAsync("")).Count);
        Assert.Equal(fixture.Rows.Count(r => r.Keyword == "kw-1"), (await Client.CountWorkflowsAsync("VisKeyword = 'kw-1'")).Count);
        var described = await Client.GetWorkflowHandle("it's-ü-Straße-ünïcødé").DescribeAsync();
        Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Completed, described.Status);
    }
}
