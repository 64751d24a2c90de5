using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.History;
using Tempora.Persistence;
using Tempora.Persistence.Postgres;
using Tempora.Persistence.Sqlite;
using Tempora.Server;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Retention: closed runs older than their namespace's retention are deleted (list, describe and history no longer
/// find them); running runs and other namespaces are untouched. The test owns its server (scan every second) and store.
/// </summary>
[Collection(nameof(VisibilityRetentionTests))]
public sealed class VisibilityRetentionTests(ITestOutputHelper output) : IDisposable
{
    private const string TaskQueue = RetentionHelpers.TaskQueue;
    private const string ParkedQueue = RetentionHelpers.ParkedQueue;

    private readonly TestDatabase _database = new("retention");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task ShortRetention_ClosedRunsDeletedOnceItPasses_RunningRunAndOtherNamespaceKept()
    {
        var retention = TimeSpan.FromSeconds(2);
        await using var server = await RetentionHelpers.StartAsync(_database, "retention-short");
        var ns = await RetentionHelpers.RegisterAsync(server, "retention-short", retention);
        var client = await ServerFixture.ConnectAsync(server, ns);
        var defaultClient = await ServerFixture.ConnectAsync(server);

        // Not covered by the short retention: default's (3 days) closed run, and a running run.
        var kept = await defaultClient.StartWorkflowAsync((VisWaitWorkflow wf) => wf.RunAsync(false), new WorkflowOptions("kept-in-default", ParkedQueue));
        await kept.TerminateAsync("closed, but default keeps it for days");
        var running = await client.StartWorkflowAsync((VisWaitWorkflow wf) => wf.RunAsync(false), new WorkflowOptions("still-running", ParkedQueue));

        var beforeCloses = Stopwatch.StartNew();
        var closed = new List<WorkflowHandle>();
        using var worker = new TemporalWorker(client, VisibilityFixture.AddWorkflows(new TemporalWorkerOptions(TaskQueue)));
        await worker.ExecuteAsync(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                var handle = await client.StartWorkflowAsync((VisQuickWorkflow wf) => wf.RunAsync(i, false), new WorkflowOptions($"completed-{i}", TaskQueue));
                await handle.GetResultAsync().WithTimeout("completed run");
                closed.Add(handle);
            }
            var failing = await client.StartWorkflowAsync((VisFailWorkflow wf) => wf.RunAsync(), new WorkflowOptions("failed-0", TaskQueue));
            await Assert.ThrowsAsync<WorkflowFailedException>(() => failing.GetResultAsync().WithTimeout("failed run"));
            closed.Add(failing);
            var terminated = await client.StartWorkflowAsync((VisWaitWorkflow wf) => wf.RunAsync(false), new WorkflowOptions("terminated-0", ParkedQueue));
            await terminated.TerminateAsync("closing it");
            closed.Add(terminated);
        });
        var closedIds = closed.Select(h => h.Id).ToList();

        // Just closed: still there (unless this machine is so slow the retention already passed).
        var listedEarly = await IdsAsync(client, "ExecutionStatus != 'Running'");
        if (beforeCloses.Elapsed < retention * 0.75)
        {
            Assert.Equal(closedIds.Order(StringComparer.Ordinal), listedEarly.Order(StringComparer.Ordinal));
        }
        output.WriteLine($"{listedEarly.Count} closed runs listed {beforeCloses.Elapsed.TotalSeconds:0.00}s after the first started");

        await Wait.UntilAsync(
            async () => (await client.CountWorkflowsAsync("ExecutionStatus != 'Running'")).Count,
            count => count == 0,
            "closed runs to be deleted after the retention",
            TimeSpan.FromSeconds(30));
        Assert.True(beforeCloses.Elapsed >= retention, $"closed runs deleted {beforeCloses.Elapsed} after they started, before the {retention} retention");
        output.WriteLine($"deleted {beforeCloses.Elapsed.TotalSeconds:0.00}s after the first started");

        foreach (var handle in closed)
        {
            await AssertGoneAsync(client, handle);
        }
        Assert.Equal(["still-running"], await IdsAsync(client, ""));
        Assert.Equal(WorkflowExecutionStatus.Running, (await running.DescribeAsync()).Status);
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await kept.DescribeAsync()).Status);
        Assert.Equal(["kept-in-default"], await IdsAsync(defaultClient, "ExecutionStatus = 'Terminated'"));
        Assert.NotEmpty((await kept.FetchHistoryAsync()).Events);

        // The id of a deleted run is free again.
        using var worker2 = new TemporalWorker(client, VisibilityFixture.AddWorkflows(new TemporalWorkerOptions(TaskQueue)));
        await worker2.ExecuteAsync(() => client.ExecuteWorkflowAsync((VisQuickWorkflow wf) => wf.RunAsync(9, false), new WorkflowOptions("completed-0", TaskQueue))
            .WithTimeout("a new run under a deleted run's id"));
        Assert.Equal(1, (await client.CountWorkflowsAsync("WorkflowId = 'completed-0' AND ExecutionStatus = 'Completed'")).Count);
    }

    [Fact]
    public async Task ANamespaceWhoseRetentionCannotBeScanned_DoesNotStopTheNamespacesAfterIt()
    {
        // Scanned first (namespaces are scanned by name). Requests can no longer give a retention past 100 years, but a
        // store written before the bounds existed can hold one: 9,000 years back is before the first date a clock holds.
        await using (var first = await RetentionHelpers.StartAsync(_database, "retention-isolated-1"))
        {
            await RetentionHelpers.RegisterAsync(first, "a-retention-9000-years", TimeSpan.FromDays(1));
            await RetentionHelpers.RegisterAsync(first, "z-retention-short", TimeSpan.FromSeconds(1));
        }
        await using (var store = await OpenStoreAsync())
        {
            var huge = (await store.Namespaces.GetByNameAsync("a-retention-9000-years", CancellationToken.None))!;
            var config = huge.Config.Clone();
            config.WorkflowExecutionRetentionTtl = new Duration { Seconds = 9000L * 365 * 86400 };
            await store.Namespaces.UpdateAsync(huge with { Config = config }, CancellationToken.None);
        }

        await using var server = await RetentionHelpers.StartAsync(_database, "retention-isolated-2");
        var client = await ServerFixture.ConnectAsync(server, "z-retention-short");
        var closed = await client.StartWorkflowAsync((VisWaitWorkflow wf) => wf.RunAsync(false), new WorkflowOptions("closed-after-huge", ParkedQueue));
        await closed.TerminateAsync("closing it");

        await Wait.UntilAsync(
            async () => (await client.CountWorkflowsAsync("ExecutionStatus != 'Running'")).Count,
            count => count == 0,
            "the short-retention namespace's closed run to be deleted although a namespace before it cannot be scanned",
            TimeSpan.FromSeconds(30));
        await AssertGoneAsync(client, closed);
    }

    /// <summary>The test's store opened directly, past the frontend's checks (the server is stopped).</summary>
    private async Task<IPersistence> OpenStoreAsync() => _database.Postgres is { } pg
        ? await PostgresPersistence.OpenAsync(pg, migrate: false, CancellationToken.None)
        : await SqlitePersistence.OpenAsync(_database.DbFile, migrate: false, NullLogger.Instance, CancellationToken.None);

    private static Task<List<string>> IdsAsync(TemporalClient client, string query) => RetentionHelpers.IdsAsync(client, query);

    private static Task AssertGoneAsync(TemporalClient client, WorkflowHandle handle) => RetentionHelpers.AssertGoneAsync(client, handle);
}

/// <summary>
/// Retention across a restart: runs closed on one server are deleted by the next one on the same store once the
/// retention passes (the scan reads stored close times, it keeps no schedule in memory).
/// </summary>
[Collection(nameof(VisibilityRetentionRestartTests))]
public sealed class VisibilityRetentionRestartTests(ITestOutputHelper output) : IDisposable
{
    private const string TaskQueue = RetentionHelpers.TaskQueue;
    private const string ParkedQueue = RetentionHelpers.ParkedQueue;

    private readonly TestDatabase _database = new("retention_restart");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task RestartBeforeRetentionPasses_NewServerDeletesTheClosedRuns()
    {
        var retention = TimeSpan.FromSeconds(4);
        const string ns = "retention-restart";
        var beforeCloses = new Stopwatch();
        List<(string Id, string RunId)> closed = [];

        await using (var first = await RetentionHelpers.StartAsync(_database, "retention-restart-1"))
        {
            await RetentionHelpers.RegisterAsync(first, ns, retention);
            var client = await ServerFixture.ConnectAsync(first, ns);
            await client.StartWorkflowAsync((VisWaitWorkflow wf) => wf.RunAsync(false), new WorkflowOptions("still-running", ParkedQueue));
            using var worker = new TemporalWorker(client, VisibilityFixture.AddWorkflows(new TemporalWorkerOptions(TaskQueue)));
            beforeCloses.Start();
            await worker.ExecuteAsync(async () =>
            {
                for (var i = 0; i < 3; i++)
                {
                    var handle = await client.StartWorkflowAsync((VisQuickWorkflow wf) => wf.RunAsync(i, false), new WorkflowOptions($"completed-{i}", TaskQueue));
                    await handle.GetResultAsync().WithTimeout("completed run");
                    closed.Add((handle.Id, handle.ResultRunId!));
                }
            });
            Assert.Equal(3, (await client.CountWorkflowsAsync("ExecutionStatus = 'Completed'")).Count);
            await first.StopAsync();
        }
        output.WriteLine($"first server stopped {beforeCloses.Elapsed.TotalSeconds:0.00}s after the first run started");

        await using var second = await RetentionHelpers.StartAsync(_database, "retention-restart-2");
        var client2 = await ServerFixture.ConnectAsync(second, ns);
        var listedEarly = await IdsAsync(client2, "ExecutionStatus = 'Completed'");
        output.WriteLine($"{listedEarly.Count} closed runs listed after the restart, {beforeCloses.Elapsed.TotalSeconds:0.00}s after the first started");
        if (beforeCloses.Elapsed < retention * 0.75)
        {
            Assert.Equal(closed.Select(c => c.Id).Order(StringComparer.Ordinal), listedEarly.Order(StringComparer.Ordinal));
        }

        await Wait.UntilAsync(
            async () => (await client2.CountWorkflowsAsync("ExecutionStatus != 'Running'")).Count,
            count => count == 0,
            "closed runs to be deleted by the restarted server",
            TimeSpan.FromSeconds(30));
        Assert.True(beforeCloses.Elapsed >= retention, $"closed runs deleted {beforeCloses.Elapsed} after they started, before the {retention} retention");

        foreach (var (id, runId) in closed)
        {
            await AssertGoneAsync(client2, client2.GetWorkflowHandle(id, runId));
        }
        Assert.Equal(["still-running"], await IdsAsync(client2, ""));
        Assert.Equal(WorkflowExecutionStatus.Running, (await client2.GetWorkflowHandle("still-running").DescribeAsync()).Status);
    }

    private static Task<List<string>> IdsAsync(TemporalClient client, string query) => RetentionHelpers.IdsAsync(client, query);

    private static Task AssertGoneAsync(TemporalClient client, WorkflowHandle handle) => RetentionHelpers.AssertGoneAsync(client, handle);
}

/// <summary>Servers and checks shared by the retention tests.</summary>
internal static class RetentionHelpers
{
    public const string TaskQueue = "retention";
    public const string ParkedQueue = "retention-parked";

    /// <summary>A server on <paramref name="database"/> that scans for expired runs every second.</summary>
    public static Task<TemporaServer> StartAsync(TestDatabase database, string logName) =>
        ServerFixture.StartServerAsync(
            database.Apply(new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                Headless = true,
                RetentionScanInterval = TimeSpan.FromSeconds(1),
                // Seconds, so that the tests see runs deleted.
                NamespaceRetention = new RetentionBounds { Minimum = TimeSpan.FromSeconds(1) },
            }),
            logName);

    /// <summary>Registers a namespace with the given retention and checks the server kept it as asked.</summary>
    public static async Task<string> RegisterAsync(TemporaServer server, string ns, TimeSpan retention)
    {
        var admin = await ServerFixture.ConnectAsync(server);
        await admin.Connection.WorkflowService.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = ns,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(retention),
        });
        var described = await admin.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ns });
        Assert.Equal(retention, described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
        return ns;
    }

    public static async Task<List<string>> IdsAsync(TemporalClient client, string query)
    {
        var ids = new List<string>();
        await foreach (var execution in client.ListWorkflowsAsync(query))
        {
            ids.Add(execution.Id);
        }
        return ids;
    }

    /// <summary>Describe (by id, and by id and run id) and history answer NotFound.</summary>
    public static async Task AssertGoneAsync(TemporalClient client, WorkflowHandle handle)
    {
        var runId = handle.ResultRunId ?? handle.RunId;
        var byId = await Assert.ThrowsAsync<RpcException>(() => client.GetWorkflowHandle(handle.Id).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, byId.Code);
        var byRun = await Assert.ThrowsAsync<RpcException>(() => client.GetWorkflowHandle(handle.Id, runId).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, byRun.Code);
        var history = await Assert.ThrowsAsync<RpcException>(() => client.Connection.WorkflowService.GetWorkflowExecutionHistoryAsync(
            new GetWorkflowExecutionHistoryRequest
            {
                Namespace = client.Options.Namespace,
                Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = handle.Id, RunId = runId ?? "" },
            }));
        Assert.Equal(RpcException.StatusCode.NotFound, history.Code);
    }
}
