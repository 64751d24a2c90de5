using Tempora.Persistence.Postgres;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>`tempora schema` on PostgreSQL: database creation, idempotent setup, status, one database for both.</summary>
public sealed class PostgresSchemaTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly List<PostgresSettings> _created = [];

    private CancellationToken Ct => _timeout.Token;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var settings in _created)
        {
            await TestPostgres.DropDatabasesAsync(settings);
        }
        _timeout.Dispose();
    }

    private PostgresSettings NewSettings(bool singleDatabase = false)
    {
        var settings = TestPostgres.NewSettings(singleDatabase);
        _created.Add(settings);
        return settings;
    }

    private static void AssertAllCurrent(IReadOnlyList<SchemaStatus> statuses, PostgresSettings settings)
    {
        Assert.Equal(new[] { settings.Database, settings.VisibilityDatabase }, statuses.Select(s => s.Database));
        Assert.Equal(new[] { PostgresSchema.MainMigrations.Count, PostgresSchema.VisibilityMigrations.Count }, statuses.Select(s => s.Latest));
        Assert.All(statuses, s =>
        {
            Assert.True(s.Latest >= 1);
            Assert.Equal(s.Latest, s.Current);
            Assert.True(s.IsCurrent);
        });
    }

    [Fact]
    public async Task Status_OfDatabasesThatDoNotExist_IsVersionZero()
    {
        var settings = NewSettings();

        var statuses = await PostgresSchema.GetStatusAsync(settings, Ct);

        Assert.Equal(2, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(0, s.Current));
        Assert.All(statuses, s => Assert.False(s.IsCurrent));
    }

    [Fact]
    public async Task Setup_CreatesBothDatabases_IsIdempotent_AndKeepsData()
    {
        var settings = NewSettings();

        AssertAllCurrent(await PostgresSchema.SetupAsync(settings, Ct), settings);
        AssertAllCurrent(await PostgresSchema.GetStatusAsync(settings, Ct), settings);
        Assert.True(await TestPostgres.TableExistsAsync(settings, settings.Database, "executions"));
        Assert.False(await TestPostgres.TableExistsAsync(settings, settings.Database, "executions_visibility"));
        Assert.True(await TestPostgres.TableExistsAsync(settings, settings.VisibilityDatabase, "executions_visibility"));

        var created = Create(NewRun("wf-schema"));
        await using (var store = await PostgresPersistence.OpenAsync(settings, migrate: false, Ct))
        {
            await store.Executions.WriteAsync(created, Ct);
        }

        AssertAllCurrent(await PostgresSchema.SetupAsync(settings, Ct), settings);
        AssertAllCurrent(await PostgresSchema.GetStatusAsync(settings, Ct), settings);
        await PostgresSchema.EnsureCurrentAsync(settings, Ct);

        await using (var store = await PostgresPersistence.OpenAsync(settings, migrate: true, Ct))
        {
            Assert.Equal(1, (await store.Executions.GetExecutionAsync(created.Key, Ct))!.DbVersion);
        }
    }

    [Fact]
    public async Task Setup_WithOneDatabaseForMainAndVisibility_Works()
    {
        var settings = NewSettings(singleDatabase: true);
        Assert.Equal(settings.Database, settings.VisibilityDatabase);

        AssertAllCurrent(await PostgresSchema.SetupAsync(settings, Ct), settings);
        AssertAllCurrent(await PostgresSchema.SetupAsync(settings, Ct), settings);
        AssertAllCurrent(await PostgresSchema.GetStatusAsync(settings, Ct), settings);
        Assert.True(await TestPostgres.TableExistsAsync(settings, settings.Database, "executions"));
        Assert.True(await TestPostgres.TableExistsAsync(settings, settings.Database, "executions_visibility"));

        await using var store = await PostgresPersistence.OpenAsync(settings, migrate: false, Ct);
        var created = Create(NewRun("wf-single"));
        await store.Executions.WriteAsync(created, Ct);
        Assert.Equal(created.Current, await store.Executions.GetCurrentExecutionAsync(created.Key.NamespaceId, created.Key.WorkflowId, Ct));
    }

    [Fact]
    public async Task OpenWithoutMigrate_WhenOnlyTheMainDatabaseIsSetUp_ThrowsForVisibility()
    {
        var settings = NewSettings();
        var mainOnly = settings with { VisibilityDatabase = settings.Database + "_other" };
        _created.Add(mainOnly);
        await PostgresSchema.SetupAsync(settings, Ct);

        var e = await Assert.ThrowsAsync<SchemaVersionMismatchException>(() => PostgresPersistence.OpenAsync(mainOnly, migrate: false, Ct));

        Assert.Contains(mainOnly.VisibilityDatabase, e.Message, StringComparison.Ordinal);
        Assert.Contains("tempora schema setup", e.Message, StringComparison.Ordinal);
    }
}
