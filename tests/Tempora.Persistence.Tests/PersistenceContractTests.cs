using Tempora.Core;

namespace Tempora.Persistence.Tests;

/// <summary>
/// The persistence contract: every store must pass these facts. A derived class names the store and gives each test
/// its own database (xunit makes one instance per test), which it removes afterwards. The facts live in the
/// PersistenceContractTests.*.cs files, one per concern.
/// </summary>
public abstract partial class PersistenceContractTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    protected PersistenceContractTests()
    {
    }

    /// <summary>The store under test, opened with migrate: true on this test's database.</summary>
    protected IPersistence Store { get; set; } = null!;

    protected IExecutionStore Executions => Store.Executions;

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>Opens this test's database (the same one on every call).</summary>
    protected abstract Task<IPersistence> OpenStoreAsync(bool migrate);

    /// <summary>Opens with migrate: false a database that was never set up (a fresh location, removed afterwards too).</summary>
    protected abstract Task<IPersistence> OpenNeverSetUpStoreAsync();

    /// <summary>Removes every database this test created; the stores are disposed by then.</summary>
    protected abstract Task DeleteDatabasesAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync(migrate: true);

    public async Task DisposeAsync()
    {
        try
        {
            if (Store is not null)
            {
                await Store.DisposeAsync();
            }
        }
        finally
        {
            await DeleteDatabasesAsync();
            _timeout.Dispose();
        }
    }

    /// <summary>Closes the store and opens the same database again without migrating, as a restarted server does.</summary>
    protected async Task ReopenAsync()
    {
        var old = Store;
        Store = null!;
        await old.DisposeAsync();
        Store = await OpenStoreAsync(migrate: false);
    }

    /// <summary>Writes a new run with <see cref="TestData.Create"/> and returns the mutation that was written.</summary>
    protected async Task<ExecutionMutation> CreateRunAsync(WorkflowKey key, Func<ExecutionMutation, ExecutionMutation>? change = null)
    {
        var m = TestData.Create(key);
        if (change is not null)
        {
            m = change(m);
        }
        await Executions.WriteAsync(m, Ct);
        return m;
    }

    protected Task<IReadOnlyList<HistoryBatch>> ReadAllHistoryAsync(WorkflowKey key) => Executions.ReadHistoryAsync(key, 1, long.MaxValue, Ct);

    protected async Task AssertExecutionAsync(ExecutionMutation written, long dbVersion)
    {
        var actual = await Executions.GetExecutionAsync(written.Key, Ct);
        Assert.NotNull(actual);
        Assert.Equal(written.Key, actual.Key);
        Assert.Equal(dbVersion, actual.DbVersion);
        Assert.Equal(written.NextEventId, actual.NextEventId);
        Assert.Equal(written.Status, actual.Status);
        Assert.Equal(written.State, actual.State);
    }

    /// <summary>Asserts the run was never written: no row, no history, no timers and no matching tasks.</summary>
    protected async Task AssertNothingOfRunAsync(WorkflowKey key)
    {
        Assert.Null(await Executions.GetExecutionAsync(key, Ct));
        Assert.Empty(await ReadAllHistoryAsync(key));
        Assert.DoesNotContain(await TimersAsync(), t => t.Key == key);
        Assert.DoesNotContain(await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct), t => t.WorkflowId == key.WorkflowId && t.RunId == key.RunId);
    }

    protected static void AssertBatches(IReadOnlyList<HistoryBatch> actual, params HistoryBatch[] expected)
    {
        Assert.Equal(expected.Select(b => (b.FirstEventId, b.LastEventId)), actual.Select(b => (b.FirstEventId, b.LastEventId)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Data, actual[i].Data);
        }
    }

    /// <summary>
    /// The durable timers of the given shards (of shards 0–15 when none are given: more than any test writes to),
    /// earliest first, read a page per shard as the engine reads them.
    /// </summary>
    protected async Task<IReadOnlyList<TimerTaskRecord>> TimersAsync(params int[] shards)
    {
        var all = new List<TimerTaskRecord>();
        foreach (var shard in shards.Length == 0 ? Enumerable.Range(0, 16) : shards)
        {
            all.AddRange(await Executions.LoadTimerPageAsync(shard, TimerCursor.Start, DateTimeOffset.MaxValue, int.MaxValue, Ct));
        }
        return [.. all.OrderBy(t => t.FireTime).ThenBy(t => t.TaskId)];
    }

    protected static void AssertTimers(IReadOnlyList<TimerTaskRecord> actual, params TimerTaskRecord[] expected)
    {
        Assert.Equal(expected.Select(t => t.TaskId), actual.Select(t => t.TaskId));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].FireTime, actual[i].FireTime);
            Assert.Equal(expected[i].FireTime.ToUnixTimeMilliseconds(), actual[i].FireTime.ToUnixTimeMilliseconds());
            Assert.Equal(expected[i].Key, actual[i].Key);
            Assert.Equal(expected[i].Data, actual[i].Data);
        }
    }

    protected async Task AssertTimerIdsAsync(params long[] expected) =>
        Assert.Equal(expected, (await TimersAsync()).Select(t => t.TaskId).Order());

    protected async Task AssertMatchingTaskIdsAsync(params long[] expected) =>
        Assert.Equal(expected, (await Executions.LoadMatchingTasksAsync(ShardSet.All, Ct)).Select(t => t.TaskId).Order());
}
