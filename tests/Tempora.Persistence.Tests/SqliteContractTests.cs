using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Persistence.Sqlite;

namespace Tempora.Persistence.Tests;

/// <summary>The contract on SQLite: each test gets a real database file in its own temp directory, deleted afterwards.</summary>
public sealed class SqliteContractTests : PersistenceContractTests
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("tempora-contract-");

    private string DatabaseFile => Path.Combine(_directory.FullName, "tempora.db");

    protected override async Task<IPersistence> OpenStoreAsync(bool migrate) =>
        await SqlitePersistence.OpenAsync(DatabaseFile, migrate, NullLogger.Instance, Ct);

    protected override async Task<IPersistence> OpenNeverSetUpStoreAsync()
    {
        var empty = Path.Combine(_directory.FullName, "empty.db");
        await File.WriteAllBytesAsync(empty, [], Ct);
        return await SqlitePersistence.OpenAsync(empty, migrate: false, NullLogger.Instance, Ct);
    }

    protected override Task DeleteDatabasesAsync()
    {
        _directory.Delete(recursive: true); // the database with its -wal and -shm files
        return Task.CompletedTask;
    }
}
