using Tempora.Core;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Visibility rows travel with the transitions that change them, and list, count and page the same on every store.</summary>
public abstract partial class PersistenceContractTests
{
    private static readonly IReadOnlyDictionary<string, SearchAttributeType> Custom =
        new Dictionary<string, SearchAttributeType> { ["CustomerId"] = SearchAttributeType.Keyword, ["Amount"] = SearchAttributeType.Int };

    private static VisibilityRecord Row(WorkflowKey key, long version, int status = Running, DateTimeOffset? close = null, string? sa = null,
        DateTimeOffset? start = null) =>
        new(key.NamespaceId, key.RunId, key.WorkflowId, "OrderWorkflow", status, start ?? T0, start ?? T0, close, "orders", 5, 1234,
            close is { } c ? (c - (start ?? T0)).Ticks * 100 : null, 7, null, null, key.WorkflowId, key.RunId, [1, 2, 3], sa, version);

    private static VisibilityQuery Query(string? text, bool groupBy = false) => ListFilter.Parse(text, Custom, groupBy);

    private async Task<List<string>> ListIdsAsync(string? text, int pageSize = 100)
    {
        var ids = new List<string>();
        VisibilityCursor? cursor = null;
        do
        {
            var page = await Store.Visibility.ListAsync(NamespaceId, Query(text), pageSize, cursor, Ct);
            ids.AddRange(page.Records.Select(r => r.WorkflowId));
            cursor = page.Next;
        }
        while (cursor is not null);
        return ids;
    }

    [Fact]
    public async Task VisibilityRow_WrittenWithTheTransition_IsListedAndUpdatedByVersion()
    {
        var key = NewRun("wf-visible");
        await Executions.WriteAsync(Create(key) with { Visibility = Row(key, 1, sa: """{"CustomerId":"c-42","Amount":10}""") }, Ct);

        var listed = Assert.Single((await Store.Visibility.ListAsync(NamespaceId, Query("CustomerId = 'c-42'"), 10, null, Ct)).Records);
        Assert.Equal(key.RunId, listed.RunId);
        Assert.Equal(Row(key, 1).StartTime, listed.StartTime);
        Assert.Equal([1, 2, 3], listed.Memo);
        Assert.Null(listed.CloseTime);

        var closedAt = T0.AddMinutes(5);
        await Executions.WriteAsync(Update(key, 1, Completed) with { Visibility = Row(key, 2, Completed, closedAt, """{"CustomerId":"c-43"}""") }, Ct);

        Assert.Empty((await Store.Visibility.ListAsync(NamespaceId, Query("CustomerId = 'c-42'"), 10, null, Ct)).Records);
        var closed = Assert.Single((await Store.Visibility.ListAsync(NamespaceId, Query("ExecutionStatus = 'Completed'"), 10, null, Ct)).Records);
        Assert.Equal(closedAt, closed.CloseTime);
        Assert.Equal(5L * 60 * 1_000_000_000, closed.ExecutionDurationNanos);
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query("CustomerId = 'c-43' AND ExecutionStatus = 'Completed'"), Ct));
    }

    [Fact]
    public async Task VisibilityRow_OfARolledBackTransition_IsNotWritten()
    {
        var key = NewRun("wf-visible-rollback");
        await Executions.WriteAsync(Create(key) with { Visibility = Row(key, 1) }, Ct);

        await Assert.ThrowsAsync<Core.Errors.ExecutionConditionFailedException>(() =>
            Executions.WriteAsync(Update(key, 7, Completed) with { Visibility = Row(key, 8, Completed, T0.AddMinutes(1)) }, Ct));

        Assert.Equal(Running, Assert.Single((await Store.Visibility.ListAsync(NamespaceId, Query(null), 10, null, Ct)).Records).Status);
    }

    [Fact]
    public async Task VisibilityPages_FollowTheFixedOrder_OpenFirstThenMostRecentlyClosed()
    {
        var expected = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var key = NewRun($"wf-order-{i:D2}");
            var open = i % 3 == 0;
            var start = T0.AddSeconds(i);
            await Executions.WriteAsync(Create(key) with
            {
                Visibility = Row(key, 1, open ? Running : Completed, open ? null : T0.AddMinutes(i), start: start),
            }, Ct);
        }
        // Open runs (0, 3, 6, 9) by start time descending, then closed ones by close time descending.
        expected.AddRange(new[] { 9, 6, 3, 0 }.Select(i => $"wf-order-{i:D2}"));
        expected.AddRange(new[] { 11, 10, 8, 7, 5, 4, 2, 1 }.Select(i => $"wf-order-{i:D2}"));

        Assert.Equal(expected, await ListIdsAsync(null, pageSize: 5));
        Assert.Equal(expected, await ListIdsAsync(null, pageSize: 100));

        var groups = await Store.Visibility.CountByStatusAsync(NamespaceId, Query("GROUP BY ExecutionStatus", groupBy: true), Ct);
        Assert.Equal([(Running, 4L), (Completed, 8L)], groups);
        var old = await Store.Visibility.ListClosedBeforeAsync(NamespaceId, T0.AddMinutes(3), 100, Ct);
        Assert.Equal(["wf-order-01", "wf-order-02"], old.Select(o => o.WorkflowId));
    }

    [Fact]
    public async Task DeleteExecution_RemovesItsVisibilityRow()
    {
        var key = NewRun("wf-visible-delete");
        await Executions.WriteAsync(Create(key) with { Visibility = Row(key, 1) }, Ct);
        Assert.Equal(1, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));

        await Executions.DeleteExecutionAsync(key, NoLease, Ct);

        Assert.Equal(0, await Store.Visibility.CountAsync(NamespaceId, Query(null), Ct));
    }
}
