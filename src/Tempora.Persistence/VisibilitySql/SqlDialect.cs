namespace Tempora.Persistence.VisibilitySql;

/// <summary>The SQL dialect a list filter is compiled for.</summary>
public enum SqlDialect
{
    /// <summary>SQLite through Microsoft.Data.Sqlite: times are unix microseconds, search attributes a JSON text.</summary>
    Sqlite,

    /// <summary>PostgreSQL through Npgsql: times are TIMESTAMPTZ, search attributes JSONB.</summary>
    Postgres,
}
