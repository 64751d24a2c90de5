using System.Reflection;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Worker;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// The SDK load mode: connect, start a worker in this process (client and worker together, as a user's app), and let
/// <see cref="Measurement"/> run the load through them; print one JSON line.
/// </summary>
internal static class LoadRun
{
    public static async Task<int> RunAsync(BenchOptions o, CancellationToken ct)
    {
        var runId = RunId();
        var taskQueue = o.TaskQueue ?? $"bench-{runId}";
        Log($"connecting to {o.Address} (namespace {o.Namespace})");
        var client = await Connection.ConnectAsync(o, ct);
        // The server just launched, nothing run yet: the footprint "after start".
        var serverStartRssKb = o.ServerPid is { } spid ? ProcFs.ReadMemory(spid)?.RssKb : null;

        var workerOptions = new TemporalWorkerOptions(taskQueue)
        {
            MaxConcurrentWorkflowTasks = o.MaxConcurrentWorkflowTasks,
            MaxConcurrentActivities = o.MaxConcurrentActivities,
            MaxConcurrentWorkflowTaskPolls = o.WorkflowTaskPollers,
            MaxConcurrentActivityTaskPolls = o.ActivityTaskPollers,
            MaxCachedWorkflows = o.MaxCachedWorkflows,
        }
            .AddWorkflow<BenchWorkflow>()
            .AddActivity(BenchActivities.EchoAsync);
        using var worker = new TemporalWorker(client, workerOptions);

        async Task<Task<string>> StartAsync(string id, string payload, CancellationToken token)
        {
            var rpc = new RpcOptions { CancellationToken = token };
            // By name, not by expression: a typed lambda would be compiled per call, driver CPU taken from the server
            // on the same cores.
            var handle = await client.StartWorkflowAsync(
                BenchWorkflow.Name, [new BenchInput(payload, o.Activities)], new(id, taskQueue) { Rpc = rpc, RequestEagerStart = o.EagerStart });
            return handle.GetResultAsync<string>(rpcOptions: rpc);
        }

        async Task<IReadOnlyList<HistoryEvent>> HistoryAsync(string id, CancellationToken token) =>
            [.. (await client.GetWorkflowHandle(id).FetchHistoryAsync(new() { Rpc = new() { CancellationToken = token } })).Events];

        var driver = new LoadDriver("sdk", StartAsync, HistoryAsync, new()
        {
            ["max_concurrent_workflow_tasks"] = o.MaxConcurrentWorkflowTasks,
            ["max_concurrent_activities"] = o.MaxConcurrentActivities,
            ["workflow_task_pollers"] = o.WorkflowTaskPollers,
            ["activity_task_pollers"] = o.ActivityTaskPollers,
            ["max_cached_workflows"] = o.MaxCachedWorkflows,
        }, "Temporalio " + SdkVersion(), () => null);
        var line = await worker.ExecuteAsync(() => Measurement.MeasureAsync(o, driver, runId, serverStartRssKb, ct), ct);
        return Print(line, o);
    }

    /// <summary>A short id that makes this run's workflow ids and task queue unique.</summary>
    public static string RunId() => $"{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}"[..15];

    /// <summary>Writes the JSON line to stdout; exit code 0 when every workflow completed without error.</summary>
    public static int Print(System.Text.Json.Nodes.JsonObject line, BenchOptions o)
    {
        Console.Out.WriteLine(line.ToJsonString());
        Console.Out.Flush();
        var ok = line["completed"]!.GetValue<int>() == o.Workflows && line["errors"]!.GetValue<int>() == 0;
        return ok ? 0 : 1;
    }

    private static string SdkVersion()
    {
        var v = typeof(TemporalClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        var plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? v : v[..plus];
    }
}
