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
