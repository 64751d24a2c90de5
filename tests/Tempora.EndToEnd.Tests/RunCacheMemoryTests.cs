using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Xunit.Abstractions;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The run cache is bounded by bytes: a real server process (start-dev on SQLite, `tempora start` on PostgreSQL) with
/// a 32 MiB budget takes 400 open runs with 1.9 MB inputs — 760 MB of input, which the count-bounded cache held whole
/// (1.3 GiB) — and its managed heap stays far below that; the runs dropped from the cache reload transparently.
/// </summary>
[Collection(nameof(RunCacheMemoryTests))]
public sealed class RunCacheMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Runs = 400;
    private const int InputBytes = 1_900_000;
    private const int BudgetMiB = 32;

    /// <summary>
    /// Generous: the budget, the server's own baseline (~100 MB with the runtime and SQLite/Npgsql), request buffers
    /// and fragmentation. The unbounded cache held at least the 760 MB of input.
    /// </summary>
    private const long HeapBound = 400L * 1024 * 1024;

    private readonly TestDatabase _db = new("run_cache_memory");

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task FourHundredOpenRunsWithLargeInputs_HeapStaysNearTheBudget_AndEvictedRunsReload()
    {
        var options = _db.Postgres is { } pg
            ? new TemporaProcessOptions { Postgres = pg, SetupSchema = true, LogName = "run-cache-memory", LogLevel = "warn" }
            : new TemporaProcessOptions { DbFile = _db.DbFile, LogName = "run-cache-memory", LogLevel = "warn" };
        await using var server = await TemporaProcess.StartAsync(options with
        {
            Environment = new Dictionary<string, string> { ["TEMPORA_RUN_CACHE_MAX_MIB"] = BudgetMiB.ToString(CultureInfo.InvariantCulture) },
        });
        var metricsAddress = await server.MetricsAddress.WithTimeout("the metrics address in the banner");
        var client = await TemporalClient.ConnectAsync(new(server.Address));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var taskQueue = ServerFixture.NewTaskQueue("run-cache");
        var ids = Enumerable.Range(0, Runs).Select(i => ServerFixture.NewWorkflowId($"run-cache-{i}")).ToList();
        var clock = Stopwatch.StartNew();

        // No worker: every run stays open with its first workflow task scheduled. Each input differs (its first bytes).
        foreach (var chunk in ids.Select((id, i) => (id, i)).Chunk(8))
        {
            await Task.WhenAll(chunk.Select(w => client.Connection.WorkflowService.StartWorkflowExecutionAsync(Start(w.id, taskQueue, w.i))))
                .WithTimeout("a chunk of starts", TimeSpan.FromMinutes(2));
        }
        output.WriteLine($"{clock.Elapsed}: {Runs} runs started");

        // Heap after the last collection, as the runtime reports it (dotnet.gc.last_collection.heap.size, all
        // generation). The load allocated gigabytes, so collections ran; a few scrapes let a late one land.
        long heap = long.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var scrape = await ObservabilityScrape.ScrapeAsync(http, metricsAddress);
            heap = Math.Min(heap, (long)scrape.Value("system_runtime_dotnet_gc_last_collection_heap_size"));
            output.WriteLine($"heap after last GC {heap / 1048576} MiB, working set {scrape.Value("process_working_set_bytes") / 1048576:F0} MiB, " +
                $"VmRSS {ResidentBytes(server.Pid) / 1048576} MiB, gen2 collections {scrape.Value("system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen2\"}")}");
        }

        Assert.True(heap > 0, "the runtime's heap-size series is exported");
        Assert.True(heap < HeapBound, $"managed heap {heap / 1048576} MiB after {Runs} open runs of {InputBytes / 1_000_000.0} MB input with a " +
            $"{BudgetMiB} MiB run cache; bound {HeapBound / 1048576} MiB");

        // The first runs were dropped from the cache long ago: they reload from the store, input intact, and change.
        foreach (var i in new[] { 0, 1, Runs / 2 })
        {
            var handle = client.GetWorkflowHandle(ids[i]);
            var history = await client.Connection.WorkflowService.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
            {
                Namespace = "default",
                Execution = new WorkflowExecution { WorkflowId = ids[i] },
                MaximumPageSize = 1,
            });
            var input = history.History.Events[0].WorkflowExecutionStartedEventAttributes.Input.Payloads_[0].Data;
            Assert.Equal(Input(i), input);
            await handle.SignalAsync("poke", []);
            await handle.TerminateAsync("done");
            var described = await handle.DescribeRawAsync();
            Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Terminated, described.WorkflowExecutionInfo.Status);
            Assert.Equal(4, described.WorkflowExecutionInfo.HistoryLength); // started, task scheduled, signaled, terminated
        }
    }

    private static StartWorkflowExecutionRequest Start(string workflowId, string taskQueue, int i) => new()
    {
        Namespace = "default",
        WorkflowId = workflowId,
        WorkflowType = new WorkflowType { Name = "LargeInput" },
        TaskQueue = RawWorker.NormalQueue(taskQueue),
        Input = new Payloads { Payloads_ = { new Payload { Metadata = { ["encoding"] = ByteString.CopyFromUtf8("binary/plain") }, Data = Input(i) } } },
        RequestId = Guid.NewGuid().ToString(),
        Identity = RawWorker.Identity,
        WorkflowIdReusePolicy = WorkflowIdReusePolicy.AllowDuplicate,
    };

    private static ByteString Input(int i)
    {
        var data = new byte[InputBytes];
        BitConverter.TryWriteBytes(data, i);
        return ByteString.CopyFrom(data);
    }

    /// <summary>VmRSS of the process, from /proc (for the log; the assertion is on the managed heap).</summary>
    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
