using System.Diagnostics;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Idle task queues are unloaded (Temporal's matching.maxTaskQueueIdleTime, set to 2 s here through
/// TEMPORA_TASK_QUEUE_IDLE_SECONDS): made-up queue names stop holding memory and metric series. That a queue with a
/// waiting poller stays, and that a queue used again after its unloading works as before, is shown on a fake clock
/// (tests/Tempora.Matching.Tests, IdleUnloadTests).
/// </summary>
public sealed class TaskQueueUnloadTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> ShortIdleTime = new()
    {
        ["TEMPORA_TASK_QUEUE_IDLE_SECONDS"] = "2",
        // Every name gets its own series, so that only the unloading can remove them (MetricLabelLimitTests bounds them).
        ["TEMPORA_METRIC_LABEL_MAX_VALUES"] = "1000000",
    };

    /// <summary>How long a test waits for the unloading (the idle time plus the check interval, with room for a loaded machine).</summary>
    private static readonly TimeSpan UnloadWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwentyThousandMadeUpQueueNames_AreUnloadedWhenIdle_MetricsBackNearBaseline()
    {
        const int Names = 20_000;
        const int Connections = 2;
        const int PollsPerConnection = 60; // under Kestrel's 100 streams per connection
        // Room for the series the polls add for good (service_requests and service_latency of PollWorkflowTaskQueue
        // are labelled by namespace and operation only) and for counters growing digits; 50,000 queue names add megabytes.
        const int Margin = 64 * 1024;
        await using var server = await MemoryBoundServer.StartAsync("tq-unload", ShortIdleTime);
        var prefix = ServerFixture.NewTaskQueue("made-up");

        // Warm up: the families and the frontend's own series of polls exist; then let those queues go.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => server.ShortPollAsync($"{prefix}-warm-{i}")));
        await WaitUntilAsync(server, s => s.LabelValues("poll_timeouts", "taskqueue").Count == 0, "the warm-up queues unloaded");
        var baseline = (await server.ScrapeAsync()).Text.Length;

        var clock = Stopwatch.StartNew();
        var clients = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => server.ConnectAsync()));
        var next = -1;
        await Task.WhenAll(clients.SelectMany(client => Enumerable.Range(0, PollsPerConnection).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < Names; i = Interlocked.Increment(ref next))
            {
                await server.ShortPollAsync($"{prefix}-{i}", client);
            }
        }))).WithTimeout($"{Names} polls", TimeSpan.FromMinutes(10));
        var loaded = await server.ScrapeAsync();
        output.WriteLine($"{clock.Elapsed}: {Names} polls; /metrics {baseline} bytes before, {loaded.Text.Length} after, " +
            $"{loaded.LabelValues("poll_timeouts", "taskqueue").Count} queue names in poll_timeouts");

        var unloaded = await WaitUntilAsync(server, s => s.LabelValues("poll_timeouts", "taskqueue").Count == 0 && s.Text.Length <= baseline + Margin,
            "every made-up queue unloaded and /metrics back near its baseline");
        output.WriteLine($"{clock.Elapsed}: /metrics {unloaded.Text.Length} bytes");

        Assert.Empty(unloaded.LabelValues("poll_timeouts", "taskqueue"));
        Assert.InRange(unloaded.Text.Length, 0, baseline + Margin);
    }

    private static async Task<ObservabilityScrape> WaitUntilAsync(MemoryBoundServer server, Func<ObservabilityScrape, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + UnloadWait;
        while (true)
        {
            var scrape = await server.ScrapeAsync();
            if (done(scrape))
            {
                return scrape;
            }
            Assert.True(DateTime.UtcNow < deadline, $"waited {UnloadWait} for {what}; /metrics is {scrape.Text.Length} bytes");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }
}
