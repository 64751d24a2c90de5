using Npgsql;
using Tempora.Persistence.Postgres;

namespace Tempora.Persistence.Tests;

/// <summary>
/// The PostgreSQL server the tests use, named by TEMPORA_TEST_POSTGRES (an Npgsql connection string whose role has
/// CREATEDB). Each test works in databases of its own, created by the schema setup and dropped afterwards.
/// </summary>
internal static class TestPostgres
{
    public const string EnvironmentVariable = "TEMPORA_TEST_POSTGRES";

    /// <summary>Settings for fresh, uniquely named databases (not created yet); one database for both when asked.</summary>
    public static PostgresSettings NewSettings(bool singleDatabase = false)
    {
        var server = new NpgsqlConnectionStringBuilder(ConnectionString());
        var database = $"contract_{Guid.NewGuid():N}"[..17];
        return new PostgresSettings
        {
            Host = server.Host ?? "127.0.0.1",
            Port = server.Port,
            User = server.Username ?? "",
            Password = server.Password ?? "",
            Database = database,
            VisibilityDatabase = singleDatabase ? database : database + "_vis",
        };
    }

    /// <summary>Drops the databases of <paramref name="settings"/> if they exist; the stores using them must be disposed.</summary>
    public static async Task DropDatabasesAsync(PostgresSettings settings)
    {
        NpgsqlConnection.ClearAllPools(); // the schema tool's connections are pooled by connection string
        await using var conn = new NpgsqlConnection(settings.ConnectionString("postgres"));
        await conn.OpenAsync();
        foreach (var database in new[] { settings.Database, settings.VisibilityDatabase }.Distinct(StringComparer.Ordinal))
        {
            // An autovacuum worker (a superuser process the test role may not terminate) can be visiting the
            // database for a moment; it leaves by itself, so try again shortly.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
                    await drop.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
                {
                    await Task.Delay(250);
                }
            }
        }
    }

    /// <summary>Drops only the visibility database of <paramref name="settings"/> (an outage of it), closing its sessions.</summary>
    public static async Task DropVisibilityDatabaseAsync(PostgresSettings settings)
    {
        await using var conn = new NpgsqlConnection(settings.ConnectionString("postgres"));
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE \"{settings.VisibilityDatabase}\" WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync();
        NpgsqlConnection.ClearAllPools(); // the schema tool's pooled connections to it were terminated
    }

    /// <summary>Whether <paramref name="database"/> holds <paramref name="table"/>.</summary>
    public static async Task<bool> TableExistsAsync(PostgresSettings settings, string database, string table)
    {
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString(database));
        await using var cmd = dataSource.CreateCommand("SELECT to_regclass(@t) IS NOT NULL");
        cmd.Parameters.AddWithValue("t", table);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private static string ConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set, so the PostgreSQL persistence tests cannot run (they fail rather than skip). " +
                "Run the tests with `bash scripts/test.sh`, which starts PostgreSQL, or start it in your shell with " +
                "`eval \"$(bash scripts/postgres.sh)\"` and run `dotnet test` again.");
        }
        return value;
    }
}
