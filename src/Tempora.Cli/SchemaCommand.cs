using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Persistence;
using Tempora.Persistence.Postgres;
using Tempora.Persistence.Sqlite;
using Tempora.Server;

namespace Tempora.Cli;

/// <summary>
/// <c>tempora schema setup | update | version</c>: creates and migrates the databases `tempora start` reads, with the
/// same config file and environment variables. Setup creates missing databases (when the user may) and is safe to
/// run twice; update applies pending migrations; version prints where each database stands.
/// </summary>
internal sealed class SchemaCommand : Command
{
    public SchemaCommand()
        : base("schema", "Create, migrate or inspect the database schema")
    {
        Subcommands.Add(Sub("setup", "Create the databases if missing and apply every migration (safe to run again)", SchemaAction.Setup));
        Subcommands.Add(Sub("update", "Apply pending migrations", SchemaAction.Update));
        Subcommands.Add(Sub("version", "Print the schema version of each database and the version this binary needs", SchemaAction.Version));
    }

    private enum SchemaAction
    {
        Setup,
        Update,
        Version,
    }

    private static Command Sub(string name, string description, SchemaAction action)
    {
        var config = CommonOptions.Config();
        var command = new Command(name, description) { config };
        command.SetAction(async (parseResult, ct) =>
        {
            if (ServerConfiguration.TryLoad(parseResult.GetValue(config)) is not { } options)
            {
                return 2;
            }
            try
            {
                var statuses = await RunAsync(options, action, ct);
                foreach (var s in statuses)
                {
                    Console.Out.WriteLine($"{s.Database}: schema version {s.Current} (this binary: {s.Latest}){(s.IsCurrent ? "" : " - needs `tempora schema " + (s.Current == 0 ? "setup" : "update") + "`")}");
                }
                return action == SchemaAction.Version && statuses.Any(s => !s.IsCurrent) ? 3 : 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"tempora schema {name} failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<IReadOnlyList<SchemaStatus>> RunAsync(TemporaOptions options, SchemaAction action, CancellationToken ct)
    {
        if (options.Store == StoreKind.Postgres)
        {
            return action switch
            {
                SchemaAction.Setup => await PostgresSchema.SetupAsync(options.Postgres, ct),
                SchemaAction.Update => await PostgresSchema.UpdateAsync(options.Postgres, ct),
                _ => await PostgresSchema.GetStatusAsync(options.Postgres, ct),
            };
        }
        if (action == SchemaAction.Version && !File.Exists(options.DbFilename))
        {
            return [new SchemaStatus(options.DbFilename, 0, SqliteDatabase.LatestSchemaVersion)];
        }
        // SQLite creates the file on open; setup and update are the same: apply what is pending.
        await using var db = await SqliteDatabase.OpenAsync(options.DbFilename, NullLogger.Instance, ct, migrate: action != SchemaAction.Version);
        return [await db.GetStatusAsync(options.DbFilename, ct)];
    }
}
