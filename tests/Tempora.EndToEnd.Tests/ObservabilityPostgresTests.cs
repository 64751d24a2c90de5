using System.Diagnostics;
using System.Net;
using Tempora.Server;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>/health/ready follows the database: 503 while a private PostgreSQL cluster is down, 200 once it is back.</summary>
[Trait("Store", "PostgresOnly")]
public sealed class ObservabilityPostgresTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FlipTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HealthReady_DatabaseStopsAndReturns_FlipsTo503AndBack()
    {
        await using var pg = await PrivatePostgres.StartAsync("observability-pg");
        await using var server = await ServerFixture.StartServerAsync(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            UiPort = 0,
            MetricsPort = 0,
            Store = StoreKind.Postgres,
            Postgres = pg.Settings(),
            MigrateSchema = true,
        }, "observability-pg");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var ready = new Uri($"http://{server.MetricsAddress}/health/ready");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ready)).StatusCode);

        await pg.StopAsync(immediate: true);
        var body = await WaitForStatusAsync(http, ready, HttpStatusCode.ServiceUnavailable, "after PostgreSQL stopped");
        output.WriteLine($"while down: {body}");
        Assert.Contains("database", body, StringComparison.Ordinal);
        // Liveness does not depend on the database: Kubernetes must not restart a pod for a database outage.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://{server.MetricsAddress}/health/live"))).StatusCode);

        await pg.StartAsync();
        await WaitForStatusAsync(http, ready, HttpStatusCode.OK, "after PostgreSQL came back");
    }

    [Fact]
    public async Task HealthReady_DatabaseTurnsReadOnly_FlipsTo503WhileReadsStillWork()
    {
        using var db = new TestDatabase("observability_ro", postgres: true);
        var settings = db.Postgres!;
        await using var server = await ServerFixture.StartServerAsync(db.Apply(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            UiPort = 0,
            MetricsPort = 0,
            Headless = true,
            MigrateSchema = true,
        }), "observability-ro");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var ready = new Uri($"http://{server.MetricsAddress}/health/ready");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ready)).StatusCode);

        // A standby promoted wrongly, a disk full or an operator's read-only switch: reads go on, writes fail.
        await SetReadOnlyAsync(settings, true);
        var body = await WaitForStatusAsync(http, ready, HttpStatusCode.ServiceUnavailable, "after the database turned read-only");
        output.WriteLine($"while read-only: {body}");
        Assert.Contains("cannot take writes", body, StringComparison.Ordinal);

        await SetReadOnlyAsync(settings, false);
        await WaitForStatusAsync(http, ready, HttpStatusCode.OK, "after the database took writes again");
    }

    /// <summary>Makes new sessions of the main database read-only (or not) and ends the current ones, so that the
    /// server's pool reconnects under the new default.</summary>
    private static async Task SetReadOnlyAsync(Tempora.Persistence.Postgres.PostgresSettings settings, bool readOnly)
    {
        await using var connection = new Npgsql.NpgsqlConnection(settings.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var alter = new Npgsql.NpgsqlCommand(
            $"ALTER DATABASE \"{settings.Database}\" SET default_transaction_read_only = {(readOnly ? "on" : "off")}", connection);
        await alter.ExecuteNonQueryAsync();
        await using var end = new Npgsql.NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", connection);
        end.Parameters.AddWithValue(settings.Database);
        await end.ExecuteNonQueryAsync();
    }

    private static async Task<string> WaitForStatusAsync(HttpClient http, Uri uri, HttpStatusCode expected, string phase)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode last = default;
        while (clock.Elapsed < FlipTimeout)
        {
            using var response = await http.GetAsync(uri);
            last = response.StatusCode;
            if (last == expected)
            {
                return await response.Content.ReadAsStringAsync();
            }
            await Task.Delay(200); // polling an HTTP probe, as the kubelet does; there is no event to wait on
        }
        throw new TimeoutException($"/health/ready stayed {last} for {FlipTimeout} {phase}; expected {expected}");
    }
}
