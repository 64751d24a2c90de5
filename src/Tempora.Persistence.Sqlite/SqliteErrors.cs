namespace Tempora.Persistence.Sqlite;

/// <summary>SQLite extended result codes the stores translate into domain errors.</summary>
internal static class SqliteErrors
{
    public const int ConstraintPrimaryKey = 1555;
    public const int ConstraintUnique = 2067;
}
