namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// The user's filter as a store receives it: names resolved and values in the attribute's type (without the
/// namespace-division scoping that <see cref="ListFilter.Parse"/> adds around it; see NamespaceDivisionTests).
/// </summary>
public sealed class ParseTests
{
    [Fact]
    public void Parse_EmptyQuery_HasNoFilter()
    {
        var query = ListFilter.ParseFilter("  ", Compile.Custom, allowGroupBy: false);
        Assert.Null(query.Filter);
        Assert.False(query.GroupByStatus);
    }

    [Fact]
    public void Parse_SystemAttributes_ResolveToRecordFieldsWithTypedValues()
    {
        var query = ListFilter.ParseFilter("ExecutionStatus = 'Running' AND StartTime < '2024-05-01T12:00:00.5Z' AND ExecutionDuration >= '1s'",
            Compile.Custom, allowGroupBy: false);

        var and = Assert.IsType<AndCondition>(query.Filter);
        var status = Assert.IsType<ComparisonCondition>(and.Operands[0]);
        Assert.Equal(VisibilityField.ExecutionStatus, status.Attribute.Field);
        Assert.Equal(ComparisonOperator.Equal, status.Operator);
        Assert.Equal(1L, status.Value);
        var start = Assert.IsType<ComparisonCondition>(and.Operands[1]);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, 500, TimeSpan.Zero), start.Value);
        var duration = Assert.IsType<ComparisonCondition>(and.Operands[2]);
        Assert.Equal(ComparisonOperator.GreaterOrEqual, duration.Operator);
        Assert.Equal(1_000_000_000L, duration.Value);
    }

    [Fact]
    public void Parse_KeywordListAndText_BecomeContainsAndWordMatch()
    {
        var query = ListFilter.ParseFilter("CustomKeywordList != 'red' OR CustomText = 'Quick, brown-fox!'", Compile.Custom, allowGroupBy: false);

        var or = Assert.IsType<OrCondition>(query.Filter);
        var list = Assert.IsType<ContainsAnyCondition>(or.Operands[0]);
        Assert.True(list.Negated);
        Assert.Equal(["red"], list.Values);
        Assert.Null(list.Attribute.Field);
        var text = Assert.IsType<TextMatchCondition>(or.Operands[1]);
        Assert.False(text.Negated);
        Assert.Equal("Quick brown fox", text.Words);
    }

    [Fact]
    public void Parse_GroupByExecutionStatus_WhenAllowed()
    {
        Assert.True(ListFilter.Parse("GROUP BY ExecutionStatus", Compile.Custom, allowGroupBy: true).GroupByStatus);
        Assert.Throws<InvalidQueryException>(() => ListFilter.Parse("GROUP BY ExecutionStatus", Compile.Custom, allowGroupBy: false));
    }
}
