using Npgsql;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// `tempora schema` on PostgreSQL: creates the two databases when the user may, applies the numbered migrations
/// embedded in this assembly, reports versions. Every step is idempotent, so setup is safe to run twice, and an
/// advisory lock keeps two replicas starting together from migrating at once.
/// </summary>
public static class PostgresSchema
{
    private const long MigrationLockKey = 0x7465_6d70_6f72_61; // "tempora"

    public static IReadOnlyList<string> MainMigrations { get; } = EmbeddedMigrations.Load(typeof(PostgresSchema).Assembly, "main");

    public static IReadOnlyList<string> VisibilityMigrations { get; } = EmbeddedMigrations.Load(typeof(PostgresSchema).Assembly, "visibility");

    /// <summary>The databases and their scripts; one database for both applies both sets in order.</summary>
    private static IEnumerable<(string Database, string Table, IReadOnlyList<string> Migrations)> Targets(PostgresSettings s)
    {
        yield return (s.Database, "schema_version", MainMigrations);
        yield return (s.VisibilityDatabase, "visibility_schema_version", VisibilityMigrations);
    }

    /// <summary>Creates missing databases (needs CREATEDB, else they must exist), then migrates both.</summary>
    public static async Task<IReadOnlyList<SchemaStatus>> SetupAsync(PostgresSettings settings, CancellationToken ct)
    {
        foreach (var database in Targets(settings).Select(t => t.Database).Distinct(StringComparer.Ordinal))
        {
            await CreateDatabaseIfMissingAsync(settings, database, ct);
        }
        return await UpdateAsync(settings, ct);
    }

    /// <summary>Applies pending migrations to both databases.</summary>
    public static async Task<IReadOnlyList<SchemaStatus>> UpdateAsync(PostgresSettings settings, CancellationToken ct)
    {
        var result = new List<SchemaStatus>();
        foreach (var (database, table, migrations) in Targets(settings))
        {
            await using var conn = new NpgsqlConnection(settings.ConnectionString(database));
            await conn.OpenAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await ExecuteAsync(conn, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", ct);
            await ExecuteAsync(conn, $"CREATE TABLE IF NOT EXISTS {table} (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", ct);
            var current = await CurrentVersionAsync(conn, table, ct);
            if (current > migrations.Count)
            {
                throw SchemaVersionMismatchException.For(new SchemaStatus(database, current, migrations.Count));
            }
            for (var version = current + 1; version <= migrations.Count; version++)
            {
                await ExecuteAsync(conn, migrations[version - 1], ct);
                await ExecuteAsync(conn, $"INSERT INTO {table} (version) VALUES ({version})", ct);
            }
            await tx.CommitAsync(ct);
            result.Add(new SchemaStatus(database, migrations.Count, migrations.Count));
        }
        return result;
    }

    /// <summary>Current and latest versions of both databases; a missing database or table reads as version 0.</summary>
    public static async Task<IReadOnlyList<SchemaStatus>> GetStatusAsync(PostgresSettings settings, CancellationToken ct)
    {
        var result = new List<SchemaStatus>();
        foreach (var (database, table, migrations) in Targets(settings))
        {
            int current;
            try
            {
                await using var conn = new NpgsqlConnection(settings.ConnectionString(database));
                await conn.OpenAsync(ct);
                await using var exists = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn);
                exists.Parameters.AddWithValue("t", table);
                current = (bool)(await exists.ExecuteScalarAsync(ct))! ? await CurrentVersionAsync(conn, table, ct) : 0;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                current = 0; // the database does not exist yet
            }
            result.Add(new SchemaStatus(database, current, migrations.Count));
        }
        return result;
    }

    /// <summary>Throws <see cref="SchemaVersionMismatchException"/> unless both databases are at this binary's version.</summary>
    public static async Task EnsureCurrentAsync(PostgresSettings settings, CancellationToken ct)
    {
        foreach (var status in await GetStatusAsync(settings, ct))
        {
            if (!status.IsCurrent)
            {
                throw SchemaVersionMismatchException.For(status);
            }
        }
    }

    private static async Task CreateDatabaseIfMissingAsync(PostgresSettings settings, string database, CancellationToken ct)
    {
        // Connect to the maintenance database; CloudNativePG users usually have the databases already.
        await using var conn = new NpgsqlConnection(settings.ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", conn);
        exists.Parameters.AddWithValue("d", database);
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }
        try
        {
            // Identifiers cannot be parameters; quote it (doubling quotes) so any name is taken literally.
            await ExecuteAsync(conn, $"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another replica created it between our check and our create.
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException(
                $"Database {database} does not exist and user {settings.User} may not create it; create it (owner {settings.User}) and run `tempora schema setup` again.", e);
        }
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {table}", conn);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
