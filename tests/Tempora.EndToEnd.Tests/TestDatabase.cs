using Npgsql;
using Tempora.Persistence.Postgres;
using Tempora.Server;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The store a test's server runs on: a fresh SQLite file, or — when TEMPORA_TEST_STORE=postgres — a fresh pair of
/// databases (main and visibility) on the PostgreSQL server named by TEMPORA_TEST_POSTGRES, which scripts/test.sh
/// starts. The same object handed to two servers in turn gives them the same data (restart tests).
/// </summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly string _tempDir = TestFiles.NewTempDir();

    /// <param name="hint">Start of the database name, for finding a test's databases in logs.</param>
    /// <param name="postgres">PostgreSQL whatever the pass (tests of PostgreSQL-only features); default: the pass's store.</param>
    public TestDatabase(string hint = "e2e", bool? postgres = null)
    {
        if (postgres ?? UsePostgres)
        {
            var name = $"{hint.Replace('-', '_')}_{Guid.NewGuid():N}"[..Math.Min(hint.Length + 13, 50)].ToLowerInvariant();
            Postgres = ServerSettings() with { Database = name, VisibilityDatabase = name + "_vis" };
        }
    }

    /// <summary>True when the end-to-end suite runs on PostgreSQL (third pass of scripts/test.sh).</summary>
    public static bool UsePostgres =>
        string.Equals(Environment.GetEnvironmentVariable("TEMPORA_TEST_STORE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQLite file (also used as a scratch directory when running on PostgreSQL).</summary>
    public string DbFile => Path.Combine(_tempDir, "tempora.db");

    /// <summary>The databases when running on PostgreSQL, else null.</summary>
    public PostgresSettings? Postgres { get; }

    /// <summary>The options pointed at this store.</summary>
    public TemporaOptions Apply(TemporaOptions options) => Postgres is { } pg
        ? options with { Store = StoreKind.Postgres, Postgres = pg }
        : options with { Store = StoreKind.Sqlite, DbFilename = DbFile };

    /// <summary>The test PostgreSQL server from TEMPORA_TEST_POSTGRES; a clear failure when it is not set.</summary>
    public static PostgresSettings ServerSettings()
    {
        var connectionString = Environment.GetEnvironmentVariable("TEMPORA_TEST_POSTGRES");
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException(
                "TEMPORA_TEST_POSTGRES is not set: run the tests with `bash scripts/test.sh`, which starts PostgreSQL, or `eval \"$(bash scripts/postgres.sh)\"` first.");
        }
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return new PostgresSettings
        {
            Host = b.Host ?? "127.0.0.1",
            Port = b.Port,
            User = b.Username ?? "temporal",
            Password = b.Password ?? "",
            SslMode = "Disable",
        };
    }

    public void Dispose()
    {
        TestFiles.TryDeleteDirectory(_tempDir);
        if (Postgres is { } pg)
        {
            NpgsqlConnection.ClearAllPools();
            using var conn = new NpgsqlConnection(pg.ConnectionString("postgres"));
            conn.Open();
            foreach (var db in new[] { pg.Database, pg.VisibilityDatabase })
            {
                // An autovacuum worker (a superuser process the test role may not terminate) can be visiting the
                // database for a moment; it leaves by itself, so try again shortly.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)", conn);
                        cmd.ExecuteNonQuery();
                        break;
                    }
                    catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
                    {
                        Thread.Sleep(250);
                    }
                }
            }
        }
    }
}
