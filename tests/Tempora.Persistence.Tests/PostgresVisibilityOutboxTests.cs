using Microsoft.Extensions.Logging;
using Npgsql;
using Tempora.Core;
using Tempora.Core.Metrics;
using Tempora.Persistence.Postgres;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>
/// The PostgreSQL visibility outbox: one row the visibility database refuses is set aside (visibility_tasks_dlq),
/// logged and counted while the rows after it are applied; an unreachable database parks nothing; rows a previous
/// process left are applied by the first list, and a list sees what another replica committed before it. Each test has
/// its own databases.
/// </summary>
public sealed class PostgresVisibilityOutboxTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly PostgresSettings _settings = TestPostgres.NewSettings();
    private readonly RecordingLogger _log = new();
    private readonly RecordingMetrics _metrics = new();
    private PostgresPersistence _store = null!;

    private CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync() => _store = await PostgresPersistence.OpenAsync(_settings, migrate: true, Ct);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await TestPostgres.DropDatabasesAsync(_settings);
        _timeout.Dispose();
    }

    [Fact]
    public async Task Outbox_RowsTheVisibilityDatabaseRefuses_AreParkedLoggedCountedAndLaterRowsApplied()
    {
        _store.VisibilityOutbox.Start(_log, _metrics);
        var nulType = NewRun("wf-nul-type");
        var nulKeyword = NewRun("wf-nul-keyword");
        var fine = NewRun("wf-fine");
        // Written past the frontend's checks, as rows written before them were: text refuses NUL, jsonb "\u0000".
        await WriteAsync(nulType, Row(nulType) with { WorkflowType = "Order\0Workflow" });
        await WriteAsync(nulKeyword, Row(nulKeyword) with { SearchAttributesJson = """{"CustomerId":"c-\u0000-42"}""" });
        await WriteAsync(fine, Row(fine));

        var listed = await ListAsync();

        Assert.Equal([fine.RunId], listed);
        Assert.Equal(1, await _store.Visibility.CountAsync(NamespaceId, Query(""), Ct));
        var parked = await QueryMainAsync("SELECT run_id, error FROM visibility_tasks_dlq ORDER BY task_id");
        Assert.Equal([nulType.RunId, nulKeyword.RunId], parked.Select(p => p.Item1));
        Assert.Contains("22021", parked[0].Item2, StringComparison.Ordinal); // invalid byte sequence for encoding "UTF8": 0x00
        Assert.Contains("22P05", parked[1].Item2, StringComparison.Ordinal); // unsupported Unicode escape sequence
        Assert.Empty(await QueryMainAsync("SELECT run_id, '' FROM visibility_tasks"));
        Assert.Equal(2, _store.VisibilityOutbox.Parked);
        Assert.Equal(2, _metrics.Total("dlq_writes"));
        Assert.Equal(2, _metrics.Last("visibility_dlq_tasks"));
        var errors = _log.Entries.Where(e => e.Id == 1201).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(LogLevel.Error, e.Level));
        Assert.Contains(errors, e => e.Message.Contains($"wf-nul-type/{nulType.RunId} in namespace {NamespaceId}", StringComparison.Ordinal)
            && e.Message.Contains("22021", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains($"wf-nul-keyword/{nulKeyword.RunId}", StringComparison.Ordinal));

        // The outbox goes on: a later change of a parked run replaces the row that was lost.
        await Executions.WriteAsync(Update(nulType, 1) with { Visibility = Row(nulType, version: 2) }, Ct);
        Assert.Equal(new[] { nulType.RunId, fine.RunId }.Order(StringComparer.Ordinal), (await ListAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Outbox_VisibilityDatabaseUnreachable_ParksNothingAndAppliesOnceItIsBack()
    {
        var run = NewRun("wf-outage");
        await TestPostgres.DropVisibilityDatabaseAsync(_settings);
        await WriteAsync(run, Row(run));

        await Assert.ThrowsAnyAsync<NpgsqlException>(ListAsync);

        Assert.Single(await QueryMainAsync("SELECT run_id, '' FROM visibility_tasks"));
        await PostgresSchema.SetupAsync(_settings, Ct);
        var listed = await RetryAsync(ListAsync); // pooled connections to the dropped database fail once each
        Assert.Equal([run.RunId], listed);
        Assert.Empty(await QueryMainAsync("SELECT run_id, error FROM visibility_tasks_dlq"));
    }

    [Fact]
    public async Task Restart_WithOutboxRowsPending_FirstListAppliesThem()
    {
        var run = NewRun("wf-left-behind");
        await WriteAsync(run, Row(run)); // committed and enqueued; this process stops before applying it

        await _store.DisposeAsync();
        _store = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);

        Assert.Equal([run.RunId], await ListAsync());
    }

    [Fact]
    public async Task Replicas_ARunWrittenThroughAnother_IsListedAndCountedAtOnce()
    {
        await using var other = await PostgresPersistence.OpenAsync(_settings, migrate: false, Ct);
        Assert.Empty(await ListAsync()); // nothing of this process is pending from now on
        var run = NewRun("wf-other-replica");

        // The other replica committed the run (its outbox has not applied the row; its loop is not even started).
        await other.Executions.WriteAsync(Create(run) with { Visibility = Row(run) }, Ct);

        Assert.Equal([run.RunId], await ListAsync());
        Assert.Equal(1, await _store.Visibility.CountAsync(NamespaceId, Query(""), Ct));
        Assert.Empty(await QueryMainAsync("SELECT run_id, '' FROM visibility_tasks"));
    }

    [Fact]
    public async Task Outbox_SeveralVersionsOfARunPending_TheNewestIsListed()
    {
        var run = NewRun("wf-versions");
        var closed = NewRun("wf-closed-then-stale");
        await WriteAsync(run, Row(run));
        await Executions.WriteAsync(Update(run, 1) with { Visibility = Row(run, version: 2) with { HistoryLength = 8 } }, Ct);
        await Executions.WriteAsync(Update(run, 2) with { Visibility = Row(run, version: 3) with { HistoryLength = 11 } }, Ct);
        // A stale row after a newer one (not written so by history, but the outbox must not let it win).
        await WriteAsync(closed, Row(closed, version: 5) with { HistoryLength = 20 });
        await Executions.WriteAsync(Update(closed, 1) with { Visibility = Row(closed, version: 4) with { HistoryLength = 9 } }, Ct);

        var page = await _store.Visibility.ListAsync(NamespaceId, Query(""), 100, null, Ct);

        Assert.Equal(11, Assert.Single(page.Records, r => r.RunId == run.RunId).HistoryLength);
        Assert.Equal(20, Assert.Single(page.Records, r => r.RunId == closed.RunId).HistoryLength);
        Assert.Empty(await QueryMainAsync("SELECT run_id, '' FROM visibility_tasks"));
    }

    private IExecutionStore Executions => _store.Executions;

    private Task WriteAsync(WorkflowKey key, VisibilityRecord row) => Executions.WriteAsync(Create(key) with { Visibility = row }, Ct);

    private static VisibilityRecord Row(WorkflowKey key, long version = 1) =>
        new(key.NamespaceId, key.RunId, key.WorkflowId, "OrderWorkflow", Running, T0, T0, null, "orders", 5, 1234, null, 7, null, null,
            key.WorkflowId, key.RunId, null, null, version);

    private static VisibilityQuery Query(string text) => ListFilter.Parse(text, new Dictionary<string, SearchAttributeType>(), false);

    private async Task<List<string>> ListAsync() =>
        (await _store.Visibility.ListAsync(NamespaceId, Query(""), 100, null, Ct)).Records.Select(r => r.RunId).ToList();

    private async Task<List<(string, string)>> QueryMainAsync(string sql)
    {
        await using var source = NpgsqlDataSource.Create(_settings.ConnectionString(_settings.Database));
        await using var cmd = source.CreateCommand(sql);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var rows = new List<(string, string)>();
        while (await r.ReadAsync(Ct))
        {
            rows.Add((r.GetString(0), r.GetString(1)));
        }
        return rows;
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (NpgsqlException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    private sealed record LogEntry(LogLevel Level, int Id, string Message);

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<LogEntry> _entries = [];

        public IReadOnlyList<LogEntry> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add(new LogEntry(logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }

    private sealed class RecordingMetrics : IMetrics
    {
        private readonly List<(string Name, double Value, bool IsGauge)> _values = [];

        public double Total(string name)
        {
            lock (_values)
            {
                return _values.Where(v => v.Name == name && !v.IsGauge).Sum(v => v.Value);
            }
        }

        public double Last(string name)
        {
            lock (_values)
            {
                return _values.Last(v => v.Name == name && v.IsGauge).Value;
            }
        }

        public void Add(MetricDefinition metric, double delta, params string[] labels)
        {
            lock (_values)
            {
                _values.Add((metric.Name, delta, false));
            }
        }

        public void Remove(MetricDefinition metric, params string[] labels)
        {
        }

        public void Record(MetricDefinition metric, TimeSpan duration, params string[] labels)
        {
        }

        public void Set(MetricDefinition metric, double value, params string[] labels)
        {
            lock (_values)
            {
                _values.Add((metric.Name, value, true));
            }
        }
    }
}
