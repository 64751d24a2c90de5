using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// One SQLite connection shared by the stores. SQLite has a single writer, so serialising every statement behind
/// one lock costs nothing in throughput and removes SQLITE_BUSY from the picture; the work per statement is
/// microseconds. WAL mode keeps commits cheap (one fsync of the log, not the database), and group commit makes them
/// rarer: the transitions of different executions that arrive while a commit is being made go into the next
/// transaction together (each in its own savepoint), so one fsync makes a whole batch durable.
/// </summary>
public sealed partial class SqliteDatabase : IAsyncDisposable
{
    /// <summary>Most transitions one commit carries; bounds the time a batch holds the connection.</summary>
    private const int MaxGroupSize = 256;

    private readonly SqliteConnection _connection;
    private SqliteFileLock? _fileLock;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly GroupCommitQueue<PendingWrite> _writes;
    private volatile bool _disposed;
    // Prepared statements of the hot paths, kept across calls: SQLite parses and plans a statement when it is prepared,
    // which cost more CPU than running it (the parser was the top SQLite frame in the benchmark's profile).
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    private SqliteDatabase(SqliteConnection connection)
    {
        _connection = connection;
        _writes = new GroupCommitQueue<PendingWrite>(MaxGroupSize, committers: 1, CommitGroupAsync);
    }

    private static readonly IReadOnlyList<string> Migrations = EmbeddedMigrations.Load(typeof(SqliteDatabase).Assembly, "");

    /// <summary>The schema version this binary ships; a database at another version is refused.</summary>
    public static int LatestSchemaVersion => Migrations.Count;

    /// <summary>Opens (creating if needed) the database. With <paramref name="migrate"/> pending migrations are applied
    /// (start-dev, `tempora schema`); otherwise a database at another version is refused with the command that fixes it.</summary>
    public static async Task<SqliteDatabase> OpenAsync(string? fileName, ILogger logger, CancellationToken ct, bool migrate = true)
    {
        var fileLock = fileName is null ? null : SqliteFileLock.Acquire(fileName);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fileName ?? ":memory:",
            Mode = fileName is null ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        var db = new SqliteDatabase(connection) { _fileLock = fileLock };
        try
        {
            await connection.OpenAsync(ct);
            // Text search attributes match word by word (list filters); the same rule as PostgreSQL's 'simple' text search.
            connection.CreateFunction<string?, string?, bool>("tempora_text_match",
                (field, query) => Tempora.Visibility.Query.TextMatch.Matches(field, query ?? ""), isDeterministic: true);
            await db.ExecuteAsync(fileName is null
                ? "PRAGMA foreign_keys=OFF;"
                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;", ct);
            if (fileName is not null)
            {
                await db.CheckIntegrityAsync(fileName, ct);
            }
            if (migrate)
            {
                await db.MigrateAsync(logger, ct);
            }
            else
            {
                var status = await db.GetStatusAsync(fileName ?? ":memory:", ct);
                if (!status.IsCurrent)
                {
                    throw SchemaVersionMismatchException.For(status);
                }
            }
            if (fileName is not null)
            {
                await db.CheckWritableAsync(fileName, ct);
            }
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            await db.DisposeAsync();
            throw Corrupt(fileName!, e.Message, e);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
        return db;
    }

    /// <summary>SQLite's result codes for a damaged file or one that is not a database at all.</summary>
    public static bool IsCorruption(SqliteException e) =>
        e.SqliteErrorCode is SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB;

    private static DatabaseUnusableException Corrupt(string fileName, string detail, Exception? inner = null) => new(
        $"SQLite file {Path.GetFullPath(fileName)} is corrupt ({detail}); nothing was served from it. Restore it from a " +
        "backup, or move it aside to start with an empty database.", inner);

    /// <summary>
    /// PRAGMA quick_check at start: reads every page and checks the b-tree structure (not index contents, which
    /// integrity_check would add at several times the cost), so that a damaged file is refused before it is served.
    /// </summary>
    private async Task CheckIntegrityAsync(string fileName, CancellationToken ct)
    {
        var problems = await RunAsync(conn =>
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check(5)";
            using var reader = cmd.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }
            return rows;
        }, ct);
        if (problems is not ["ok"])
        {
            throw Corrupt(fileName, "PRAGMA quick_check: " + string.Join("; ", problems));
        }
    }

    /// <summary>Refuses a file this process can read but not write (its permissions, a read-only mount): SQLite
    /// opens such a file read-only without a word, and every write would fail later.</summary>
    private async Task CheckWritableAsync(string fileName, CancellationToken ct)
    {
        try
        {
            await ProbeWriteAsync(ct);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_CANTOPEN)
        {
            throw new DatabaseUnusableException(
                $"SQLite file {Path.GetFullPath(fileName)} cannot be written ({e.Message}); give the server's user write access to the file and its directory.", e);
        }
    }

    /// <summary>
    /// A real write that changes nothing: the schema version row rewritten with its own value, committed like any
    /// transition (group commit, fsync). Readiness runs it, so that a file that turned read-only or a full disk shows.
    /// </summary>
    public Task ProbeWriteAsync(CancellationToken ct) => InTransactionAsync((conn, tx) =>
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE schema_version SET applied_at = applied_at WHERE version = (SELECT MAX(version) FROM schema_version)";
        return cmd.ExecuteNonQuery();
    }, ct);

    /// <summary>Runs work on the shared connection under the lock.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            return work(_connection);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// The cached command for <paramref name="sql"/>, its parameters cleared, in <paramref name="tx"/>. Only for work
    /// running on the connection (inside <see cref="RunAsync{T}"/> or <see cref="InTransactionAsync{T}"/>); the caller
    /// does not dispose it and closes its reader before the same statement is used again.
    /// </summary>
    internal SqliteCommand Statement(string sql, SqliteTransaction? tx)
    {
        if (!_statements.TryGetValue(sql, out var cmd))
        {
            cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            _statements.Add(sql, cmd);
        }
        cmd.Transaction = tx;
        cmd.Parameters.Clear();
        return cmd;
    }

    /// <summary>
    /// Runs work atomically and returns once it is durable. The work may share its transaction (and its commit) with
    /// the work of other callers, inside a savepoint of its own: when it throws, only its own statements are undone
    /// and only its caller sees the exception. It must therefore do nothing but statements on the transaction.
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct)
    {
        var pending = new PendingWrite<T>(work, ct);
        // Nothing queued and nobody on the connection: commit on the caller's thread. Handing the write to the
        // committer loop and the result back costs two thread-pool hops, the larger part of a lone write's latency
        // besides the fsync. A write that arrives while a commit is under way still queues and joins the next group.
        if (!_disposed && _writes.IsEmpty && _lock.Wait(0, CancellationToken.None))
        {
            try
            {
                if (!pending.CancelIfRequested())
                {
                    CommitGroup([pending]);
                    pending.Finish();
                }
            }
            finally
            {
                _lock.Release();
            }
            return pending.Task;
        }
        _writes.Enqueue(pending);
        return pending.Task;
    }

    private async Task CommitGroupAsync(List<PendingWrite> group)
    {
        await _lock.WaitAsync();
        try
        {
            CommitGroup(group);
        }
        finally
        {
            _lock.Release();
        }
        foreach (var write in group)
        {
            write.Finish();
        }
    }

    /// <summary>One IMMEDIATE transaction (write lock taken at BEGIN) for the whole group, one savepoint per write.</summary>
    private void CommitGroup(List<PendingWrite> group)
    {
        if (group.Count == 1)
        {
            CommitOne(group[0]);
            return;
        }
        try
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var write in group)
            {
                tx.Save("w");
                try
                {
                    write.Run(_connection, tx);
                    tx.Release("w");
                }
                catch (Exception e) when (!EndsTransaction(e))
                {
                    // A domain failure (a condition, a duplicate key): undo this write's statements only.
                    tx.Rollback("w");
                    tx.Release("w");
                    write.Failed(e);
                }
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            // The commit (or an I/O-level error that ends the transaction) failed: nothing of the group is durable.
            foreach (var write in group)
            {
                write.Failed(e, overwrite: false);
            }
        }
    }

    /// <summary>A group of one needs no savepoint: its failure rolls the whole transaction back.</summary>
    private void CommitOne(PendingWrite write)
    {
        try
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            try
            {
                write.Run(_connection, tx);
            }
            catch (Exception e) when (!EndsTransaction(e))
            {
                write.Failed(e);
                tx.Rollback();
                return;
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            write.Failed(e, overwrite: false);
        }
    }

    /// <summary>Errors after which SQLite may have rolled the whole transaction back by itself (sqlite.org/lang_transaction.html).</summary>
    private static bool EndsTransaction(Exception e) =>
        e is SqliteException
        {
            SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_BUSY
            or SQLitePCL.raw.SQLITE_NOMEM or SQLitePCL.raw.SQLITE_INTERRUPT or SQLitePCL.raw.SQLITE_CORRUPT
        };

    /// <summary>A write waiting for the group commit.</summary>
    private abstract class PendingWrite : IGroupedWrite
    {
        public abstract bool CancelIfRequested();

        public abstract void FailUnlessComplete(Exception error);

        public abstract void Run(SqliteConnection connection, SqliteTransaction tx);

        /// <summary>Records the failure; with <paramref name="overwrite"/> false a failure already recorded stays.</summary>
        public abstract void Failed(Exception e, bool overwrite = true);

        /// <summary>Completes the caller's task after the commit.</summary>
        public abstract void Finish();
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override bool CancelIfRequested() => ct.IsCancellationRequested && _done.TrySetCanceled(ct);

        public override void FailUnlessComplete(Exception error) => _done.TrySetException(error);

        public override void Run(SqliteConnection connection, SqliteTransaction tx) => _result = work(connection, tx);

        public override void Failed(Exception e, bool overwrite = true)
        {
            if (overwrite || _error is null)
            {
                _error = e;
            }
        }

        public override void Finish()
        {
            if (_error is null)
            {
                _done.TrySetResult(_result!);
            }
            else
            {
                _done.TrySetException(_error);
            }
        }
    }

    private Task ExecuteAsync(string sql, CancellationToken ct) => RunAsync(conn =>
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteNonQuery();
    }, ct);

    /// <summary>The file's schema version against this binary's; a file without the version table reads as 0.</summary>
    public async Task<SchemaStatus> GetStatusAsync(string name, CancellationToken ct) => new(name, await CurrentVersionAsync(ct), Migrations.Count);

    private Task<int> CurrentVersionAsync(CancellationToken ct) => RunAsync(conn =>
    {
        // Two statements: SQLite resolves every table of a statement when preparing it, so a guard inside one
        // statement cannot protect the read of a table that does not exist yet.
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }
        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }, ct);

    private async Task MigrateAsync(ILogger logger, CancellationToken ct)
    {
        var migrations = Migrations;
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);", ct);
        var current = await CurrentVersionAsync(ct);
        if (current > migrations.Count)
        {
            throw SchemaVersionMismatchException.For(new SchemaStatus("SQLite", current, migrations.Count));
        }
        for (var version = current + 1; version <= migrations.Count; version++)
        {
            var sql = migrations[version - 1];
            var v = version;
            await InTransactionAsync((conn, tx) =>
            {
                using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                cmd.ExecuteNonQuery();
                cmd.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($v, $t)";
                cmd.Parameters.AddWithValue("$v", v);
                cmd.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                return cmd.ExecuteNonQuery();
            }, ct);
            LogMigrated(logger, v);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        // Writes already queued are committed before the connection closes.
        await _writes.DisposeAsync();
        await _lock.WaitAsync();
        try
        {
            foreach (var cmd in _statements.Values)
            {
                cmd.Dispose();
            }
            _statements.Clear();
            await _connection.DisposeAsync();
            // Only once the connection is closed may another process open the file.
            _fileLock?.Dispose();
        }
        finally
        {
            _lock.Release();
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "SQLite schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);
}
