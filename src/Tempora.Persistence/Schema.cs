using System.Reflection;

namespace Tempora.Persistence;

/// <summary>The schema version of one database against the version this binary ships.</summary>
/// <param name="Database">Which database: its name or file.</param>
public sealed record SchemaStatus(string Database, int Current, int Latest)
{
    public bool IsCurrent => Current == Latest;
}

/// <summary>The database is not at the schema version this binary needs; the message says which command fixes it.</summary>
public sealed class SchemaVersionMismatchException(string message) : Exception(message)
{
    public static SchemaVersionMismatchException For(SchemaStatus status) => new(status.Current > status.Latest
        ? $"Database {status.Database} is at schema version {status.Current}, newer than this binary knows ({status.Latest}); run a newer tempora."
        : status.Current == 0
            ? $"Database {status.Database} has no Tempora schema (this binary needs version {status.Latest}); run `tempora schema setup`."
            : $"Database {status.Database} is at schema version {status.Current}, this binary needs {status.Latest}; run `tempora schema update`.");
}

/// <summary>Numbered SQL migrations embedded in an assembly: Migrations/[folder/]NNNN_name.sql, applied in order.</summary>
public static class EmbeddedMigrations
{
    /// <summary>The scripts under <paramref name="folder"/> (a resource-name segment), version 1 first.</summary>
    public static IReadOnlyList<string> Load(Assembly assembly, string folder)
    {
        var prefix = $".Migrations.{(folder.Length == 0 ? "" : folder + ".")}";
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)
                && !n[(n.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length)..^4].Contains('.', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            })
            .ToList();
    }
}
