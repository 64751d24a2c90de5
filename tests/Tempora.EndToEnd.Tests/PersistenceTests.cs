using Google.Protobuf.WellKnownTypes;
using Tempora.Server;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>Each test owns its servers: it stops one and starts another on the same store.</summary>
[Collection(nameof(PersistenceTests))]
public sealed class PersistenceTests : IDisposable
{
    private readonly TestDatabase _database = new("restart");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Restart_TimerPendingAcrossRestart_WorkflowCompletesOnNewServer()
    {
        var workflowId = ServerFixture.NewWorkflowId();
        var taskQueue = ServerFixture.NewTaskQueue();
        string runId;

        await using (var first = await StartAsync("persist-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            using var worker = NewWorker(client, taskQueue);
            runId = await worker.ExecuteAsync(async () =>
            {
                var handle = await client.StartWorkflowAsync((TimerThenActivityWorkflow wf) => wf.RunAsync("restart"), new(workflowId, taskQueue));
                await Wait.ForHistoryEventAsync(handle, EventType.TimerStarted);
                return handle.ResultRunId!;
            });
            await first.StopAsync();
        }

        await using var second = await StartAsync("persist-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        var handle2 = client2.GetWorkflowHandle<TimerThenActivityWorkflow>(workflowId, runId);
        var before = await handle2.DescribeAsync();
        Assert.Equal(WorkflowExecutionStatus.Running, before.Status);

        using var worker2 = NewWorker(client2, taskQueue);
        var result = await worker2.ExecuteAsync(() => handle2.GetResultAsync<string>().WithTimeout("workflow to finish on the restarted server"));

        Assert.Equal("Hello, restart!", result);
        var types = (await handle2.EventsAsync()).Types();
        Assert.Contains(EventType.TimerFired, types);
        Assert.Contains(EventType.ActivityTaskCompleted, types);
        Assert.Single(types, t => t == EventType.WorkflowExecutionStarted);
    }

    [Fact]
    public async Task Restart_NamespaceRegisteredBefore_StillExistsAfter()
    {
        var ns = ServerFixture.NewWorkflowId("persist-ns");

        await using (var first = await StartAsync("persist-ns-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            await client.Connection.WorkflowService.RegisterNamespaceAsync(new RegisterNamespaceRequest
            {
                Namespace = ns,
                WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(2)),
            });
            await first.StopAsync();
        }

        await using var second = await StartAsync("persist-ns-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        var described = await client2.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ns });

        Assert.Equal(ns, described.NamespaceInfo.Name);
        Assert.Equal(TimeSpan.FromDays(2), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
    }

    [Fact]
    public async Task Restart_AfterUpserts_HistoryReadFromTheStoreStillHoldsTheStartValues()
    {
        var taskQueue = ServerFixture.NewTaskQueue("immutable-restart");
        WorkflowHandle<HistoryImmutabilityTests.UpsertingWorkflow, List<string>> handle;
        await using (var first = await StartAsync("immutable-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue) { MaxCachedWorkflows = 0 }
                .AddWorkflow<HistoryImmutabilityTests.UpsertingWorkflow>());
            handle = await worker.ExecuteAsync(async () =>
            {
                var h = await HistoryImmutabilityTests.StartAsync(client, taskQueue);
                await Wait.UntilAsync(() => h.QueryAsync(wf => wf.Upserted()), upserted => upserted, "the upserts");
                return h;
            });
            await first.StopAsync();
        }

        await using var second = await StartAsync("immutable-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        var handle2 = client2.GetWorkflowHandle<HistoryImmutabilityTests.UpsertingWorkflow, List<string>>(handle.Id, handle.ResultRunId);
        using var worker2 = new TemporalWorker(client2, new TemporalWorkerOptions(taskQueue) { MaxCachedWorkflows = 0 }
            .AddWorkflow<HistoryImmutabilityTests.UpsertingWorkflow>());
        await worker2.ExecuteAsync(async () =>
        {
            await handle2.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal(["start/c-start", "upserted/c-upserted"], await handle2.GetResultAsync().WithTimeout("the workflow on the restarted server"));
        });
        await HistoryImmutabilityTests.AssertStartEventAsWrittenAsync(handle2);
    }

    private Task<TemporaServer> StartAsync(string logName) =>
        ServerFixture.StartServerAsync(
            _database.Apply(new TemporaOptions
            {
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                Headless = true,
                SearchAttributes = ServerFixture.TestSearchAttributes,
            }),
            logName);

    private static TemporalWorker NewWorker(TemporalClient client, string taskQueue) =>
        new(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<TimerThenActivityWorkflow>().AddAllActivities(new GreetingActivities()));
}

/// <summary>A server that keeps nothing on disk.</summary>
[Collection(nameof(InMemoryTests))]
public sealed class InMemoryTests
{
    [Fact]
    public async Task InMemoryServer_HelloWorkflow_Completes()
    {
        await using var server = await ServerFixture.StartServerAsync(
            new TemporaOptions { Port = 0, UiPort = 0, MetricsPort = 0, InMemory = true, Headless = true, DbFilename = "must-not-be-created.db" },
            "in-memory");
        var client = await ServerFixture.ConnectAsync(server);
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));

        var result = await worker.ExecuteAsync(() =>
            client.ExecuteWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("memory"), new(ServerFixture.NewWorkflowId(), taskQueue))
                .WithTimeout("hello workflow on in-memory server"));

        Assert.Equal("Hello, memory!", result);
        await server.StopAsync();
        Assert.False(File.Exists("must-not-be-created.db"), "in-memory mode must not create the database file");
    }
}

/// <summary>Timer, then activity: spans a restart when the server stops during the timer.</summary>
[Workflow]
public sealed class TimerThenActivityWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string name)
    {
        await Workflow.DelayAsync(TimeSpan.FromSeconds(3));
        return await Workflow.ExecuteActivityAsync(
            (GreetingActivities a) => a.SayHello(name),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
    }
}
