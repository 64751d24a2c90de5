using Tempora.Persistence.Postgres;

namespace Tempora.Persistence.Tests;

/// <summary>The contract on PostgreSQL (TEMPORA_TEST_POSTGRES): each test gets its own main and visibility databases.</summary>
public sealed class PostgresContractTests : PersistenceContractTests
{
    protected override bool TaskIdsInBlocks => true;

    private readonly PostgresSettings _settings = TestPostgres.NewSettings();
    private readonly List<PostgresSettings> _neverSetUp = [];

    protected override async Task<IPersistence> OpenStoreAsync(bool migrate) => await PostgresPersistence.OpenAsync(_settings, migrate, Ct);

    protected override async Task<IPersistence> OpenNeverSetUpStoreAsync()
    {
        var settings = TestPostgres.NewSettings();
        _neverSetUp.Add(settings);
        return await PostgresPersistence.OpenAsync(settings, migrate: false, Ct);
    }

    protected override async Task DeleteDatabasesAsync()
    {
        foreach (var settings in _neverSetUp.Prepend(_settings))
        {
            await TestPostgres.DropDatabasesAsync(settings);
        }
    }
}
