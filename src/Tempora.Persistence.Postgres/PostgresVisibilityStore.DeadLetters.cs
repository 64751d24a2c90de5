using System.Data;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tempora.Core.Metrics;
using Tempora.Visibility;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// The outbox's dead-letter queue. The outbox is applied in order, so one row the visibility database refuses would
/// block every row after it, on every replica, and with them every list, count and retention scan. Such a row is set
/// aside in visibility_tasks_dlq instead, in the transaction that takes it off the outbox (so every replica sees it
/// gone at once and a crash cannot lose it), then logged and counted. Only data errors park a row; a database that
/// cannot be reached leaves the outbox as it is, to be applied once it answers again.
/// </summary>
internal sealed partial class PostgresVisibilityStore
{
    /// <summary>How often (in rounds of about a second) the loop re-reads the dead-letter count other replicas add to.</summary>
    private const int ParkedRefreshRounds = 30;

    private long _parked;

    public long Parked => Interlocked.Read(ref _parked);

    public string? Failing { get; private set; }

    private sealed record OutboxTask(long TaskId, string NamespaceId, string RunId, long Version, byte[]? Data);

    private sealed record DeadLetter(OutboxTask Task, string WorkflowId, string Error);

    /// <summary>
    /// Errors that say the row itself cannot be applied, so that applying it again will fail again: SQLSTATE classes
    /// 22 (data exception: a NUL in text or jsonb, a value out of range), 23 (integrity) and 54 (program limit, a row too
    /// large to index), and a row whose data cannot be read or sent. Anything else (connection, timeout) is transient.
    /// </summary>
    internal static bool IsDataError(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("54", StringComparison.Ordinal),
        NpgsqlException => false,
        JsonException or NotSupportedException or EncoderFallbackException or InvalidCastException or FormatException or OverflowException => true,
        _ => false,
    };

    /// <summary>Applies the rows one at a time, in order; returns those the visibility database refused.</summary>
    private async Task<IReadOnlyList<DeadLetter>> ApplyOneByOneAsync(IReadOnlyList<OutboxTask> tasks, CancellationToken ct)
    {
        var dead = new List<DeadLetter>();
        var conn = await _visibility.OpenConnectionAsync(ct);
        try
        {
            foreach (var task in tasks)
            {
                try
                {
                    await using var batch = new NpgsqlBatch(conn);
                    batch.BatchCommands.Add(Command(task));
                    await batch.ExecuteNonQueryAsync(ct);
                }
                catch (Exception e) when (IsDataError(e))
                {
                    dead.Add(new DeadLetter(task, WorkflowIdOf(task), $"{e.GetType().Name}: {e.Message}"));
                    if (conn.FullState != ConnectionState.Open)
                    {
                        // A value Npgsql could not send can leave the connection broken; the next row gets a fresh one.
                        await conn.DisposeAsync();
                        conn = await _visibility.OpenConnectionAsync(ct);
                    }
                }
            }
        }
        finally
        {
            await conn.DisposeAsync();
        }
        return dead;
    }

    private static async Task ParkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<DeadLetter> dead, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var letter in dead)
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO visibility_tasks_dlq (task_id, namespace_id, run_id, version, data, error) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (task_id) DO NOTHING
                """);
            insert.Parameters.Add(new NpgsqlParameter { Value = letter.Task.TaskId });
            insert.Parameters.Add(new NpgsqlParameter { Value = letter.Task.NamespaceId });
            insert.Parameters.Add(new NpgsqlParameter { Value = letter.Task.RunId });
            insert.Parameters.Add(new NpgsqlParameter { Value = letter.Task.Version });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)letter.Task.Data ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
            insert.Parameters.Add(new NpgsqlParameter { Value = Printable(letter.Error) });
            batch.BatchCommands.Add(insert);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>After the commit that parked them: one log line per row, and the counter.</summary>
    private void ReportParked(IReadOnlyList<DeadLetter> dead)
    {
        foreach (var letter in dead)
        {
            LogParked(_logger, letter.Task.NamespaceId, letter.WorkflowId, letter.Task.RunId, letter.Task.TaskId, letter.Error);
        }
        _metrics.Add(MetricNames.DlqWrites, dead.Count, "visibility");
        // No round trip here (a list may be waiting on this apply): the loop re-reads the shared count periodically.
        _metrics.Set(MetricNames.VisibilityDlqTasks, Interlocked.Add(ref _parked, dead.Count));
    }

    private async Task RefreshParkedAsync(CancellationToken ct)
    {
        await using var cmd = _main.CreateCommand("SELECT COUNT(*) FROM visibility_tasks_dlq");
        var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
        Interlocked.Exchange(ref _parked, count);
        _metrics.Set(MetricNames.VisibilityDlqTasks, count);
    }

    /// <summary>The run's workflow id for the log, when the row's data can still be read.</summary>
    private static string WorkflowIdOf(OutboxTask task)
    {
        if (task.Data is null)
        {
            return "";
        }
        try
        {
            return Printable(JsonSerializer.Deserialize<VisibilityRecord>(task.Data)?.WorkflowId ?? "");
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>Text a text column and a log line can hold: NUL (the very reason a row may be here) escaped.</summary>
    private static string Printable(string value) => value.Replace("\0", "\\u0000", StringComparison.Ordinal);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error,
        Message = "Visibility outbox row {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} cannot be applied and was moved to visibility_tasks_dlq: {Error}")]
    private static partial void LogParked(ILogger logger, string namespaceId, string workflowId, string runId, long taskId, string error);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Applying the visibility outbox failed; its rows stay queued and are retried every second")]
    private static partial void LogOutboxFailing(ILogger logger, Exception e);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Applying the visibility outbox works again (it failed with {Error})")]
    private static partial void LogOutboxRecovered(ILogger logger, string error);
}
