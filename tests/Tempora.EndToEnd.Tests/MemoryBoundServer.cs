using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A real server process of one test's own (start-dev on SQLite, `tempora start` on PostgreSQL) with memory-bound
/// settings given as environment variables, a client, and scrapes of its /metrics.
/// </summary>
internal sealed class MemoryBoundServer : IAsyncDisposable
{
    private readonly TestDatabase _db;

    private MemoryBoundServer(TestDatabase db, TemporaProcess process, TemporalClient client, string metricsAddress)
    {
        _db = db;
        Process = process;
        Client = client;
        MetricsAddress = metricsAddress;
    }

    public TemporaProcess Process { get; }

    public TemporalClient Client { get; }

    public string MetricsAddress { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<MemoryBoundServer> StartAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var db = new TestDatabase(name.Replace('-', '_'));
        try
        {
            var options = db.Postgres is { } pg
                ? new TemporaProcessOptions { Postgres = pg, SetupSchema = true }
                : new TemporaProcessOptions { DbFile = db.DbFile };
            var process = await TemporaProcess.StartAsync(options with { LogName = name, LogLevel = "warn", Environment = environment });
            try
            {
                var metrics = await process.MetricsAddress.WithTimeout("the metrics address in the banner");
                return new MemoryBoundServer(db, process, await TemporalClient.ConnectAsync(new(process.Address)), metrics);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public Task<ObservabilityScrape> ScrapeAsync() => ObservabilityScrape.ScrapeAsync(Http, MetricsAddress);

    /// <summary>Another connection: Kestrel serves 100 concurrent streams per HTTP/2 connection, so heavy fan-outs spread.</summary>
    public Task<TemporalClient> ConnectAsync() => TemporalClient.ConnectAsync(new(Process.Address));

    /// <summary>
    /// A workflow poll the server answers empty after about 200 ms (it answers a second before the client's deadline):
    /// enough to make the queue and its poll_timeouts series. False when the answer came too late for the client (a
    /// loaded machine); the queue was made all the same.
    /// </summary>
    public async Task<bool> ShortPollAsync(string taskQueue, TemporalClient? client = null)
    {
        try
        {
            var response = await (client ?? Client).Connection.WorkflowService.PollWorkflowTaskQueueAsync(
                new PollWorkflowTaskQueueRequest { Namespace = "default", TaskQueue = RawWorker.NormalQueue(taskQueue), Identity = RawWorker.Identity },
                new RpcOptions { Timeout = TimeSpan.FromMilliseconds(1200) });
            Assert.True(response.TaskToken.IsEmpty, "nobody offered a task on a made-up queue");
            return true;
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.DeadlineExceeded || e.Message == "Timeout expired") // the SDK's own timeout
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
        _db.Dispose();
    }
}
