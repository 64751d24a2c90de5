using Tempora.Server;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A server of one test class's own, so that its metrics count only that class's runs, with an SDK client and an
/// HTTP client for its metrics port.
/// </summary>
internal sealed class OwnServer : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private OwnServer(TestDatabase database, TemporaServer server, TemporalClient client)
    {
        _database = database;
        Server = server;
        Client = client;
    }

    public TemporaServer Server { get; }

    public TemporalClient Client { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>One scrape of the server's /metrics.</summary>
    public Task<ObservabilityScrape> ScrapeAsync() => ObservabilityScrape.ScrapeAsync(Http, Server.MetricsAddress);

    /// <summary>Starts a headless server on free loopback ports; <paramref name="configure"/> changes the options.</summary>
    public static async Task<OwnServer> StartAsync(string hint, Func<TemporaOptions, TemporaOptions>? configure = null)
    {
        var database = new TestDatabase(hint);
        try
        {
            var options = database.Apply(new TemporaOptions { Ip = "127.0.0.1", Port = 0, UiPort = 0, MetricsPort = 0, Headless = true });
            var server = await ServerFixture.StartServerAsync(configure?.Invoke(options) ?? options, hint);
            try
            {
                return new OwnServer(database, server, await ServerFixture.ConnectAsync(server));
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _database.Dispose();
    }
}
