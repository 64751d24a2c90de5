namespace Tempora.Frontend;

/// <summary>The store names GetClusterInfo reports, in Temporal's terms.</summary>
public sealed record StoreNames(string Persistence, string Visibility)
{
    public static StoreNames Sqlite { get; } = new("sqlite", "sqlite");

    public static StoreNames Postgres { get; } = new("postgres12", "postgres12");
}
