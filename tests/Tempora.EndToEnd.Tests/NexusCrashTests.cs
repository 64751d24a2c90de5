using NexusRpc;
using NexusRpc.Handlers;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Nexus;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// kill -9 of the real server while Nexus operations are in flight, on the pass's store: operations whose handler
/// workflow had started (waiting for their callback) and operations whose start request had no handler to go to yet
/// (backing off) all complete exactly once after the restart.
/// </summary>
[Collection(nameof(NexusCrashTests))]
public sealed class NexusCrashTests : IDisposable
{
    private const int Started = 5;
    private const int Waiting = 5;
    private const string HandlerNamespace = "nexus-crash-handler";

    private readonly TestDatabase _db = new("nexus_crash");

    public void Dispose() => _db.Dispose();

    [NexusService]
    public interface ICrashService
    {
        [NexusOperation]
        string Run(string name);
    }

    [NexusServiceHandler(typeof(ICrashService))]
    public sealed class CrashService
    {
        [NexusOperationHandler]
        public IOperationHandler<string, string> Run() =>
            WorkflowRunOperationHandler.FromHandleFactory((WorkflowRunOperationContext context, string name) =>
                context.StartWorkflowAsync((GoWorkflow wf) => wf.RunAsync(name), new() { Id = $"nexus-crash-handler-{name}" }));
    }

    /// <summary>The handler's workflow: finishes once signalled.</summary>
    [Workflow]
    public sealed class GoWorkflow
    {
        private bool _go;

        [WorkflowRun]
        public async Task<string> RunAsync(string name)
        {
            await Workflow.WaitConditionAsync(() => _go);
            return $"done {name}";
        }

        [WorkflowSignal]
        public Task GoAsync()
        {
            _go = true;
            return Task.CompletedTask;
        }
    }

    [Workflow]
    public sealed class CrashCallerWorkflow
    {
        [WorkflowRun]
        public Task<string> RunAsync(string endpoint, string name) =>
            Workflow.CreateNexusWorkflowClient<ICrashService>(endpoint).ExecuteNexusOperationAsync(svc => svc.Run(name));
    }

    [Fact]
    public async Task KillNine_WithOperationsStartedAndBackingOff_EachCompletesOnceAfterRestart()
    {
        var callerQueue = ServerFixture.NewTaskQueue("nexus-crash-caller");
        var handlerQueue = ServerFixture.NewTaskQueue("nexus-crash-handler");
        var endpoint = $"ep-crash-{Guid.NewGuid():N}";
        var names = Enumerable.Range(0, Started + Waiting).Select(i => $"{Guid.NewGuid():N}-{i}").ToList();
        var callers = new Dictionary<string, string>();

        await using var first = await TemporaProcess.StartForAsync(_db, logName: "nexus-crash-1");
        var client = await TemporalClient.ConnectAsync(new(first.Address));
        await client.WorkflowService.RegisterNamespaceAsync(new()
        {
            Namespace = HandlerNamespace,
            WorkflowExecutionRetentionPeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        });
        await client.OperatorService.CreateNexusEndpointAsync(new CreateNexusEndpointRequest
        {
            Spec = new()
            {
                Name = endpoint,
                Target = new() { Worker = new() { Namespace = HandlerNamespace, TaskQueue = handlerQueue } },
            },
        });
        var handlerClient = await TemporalClient.ConnectAsync(new(first.Address) { Namespace = HandlerNamespace });
        using (var callerWorker = CallerWorker(client, callerQueue))
        using (var handlerWorker = HandlerWorker(handlerClient, handlerQueue))
        {
            using var stop = new CancellationTokenSource();
            var runningCaller = callerWorker.ExecuteAsync(stop.Token);
            var runningHandler = handlerWorker.ExecuteAsync(stop.Token);
            foreach (var name in names.Take(Started))
            {
                callers[name] = await StartCallerAsync(client, callerQueue, endpoint, name);
            }
            foreach (var name in names.Take(Started))
            {
                await Wait.UntilAsync(async () => (await client.GetWorkflowHandle(callers[name]).EventsAsync()).Types(),
                    types => types.Contains(EventType.NexusOperationStarted), $"operation {name} to start");
            }
            // The rest are scheduled with no handler polling: their start requests time out and back off.
            await stop.CancelAsync();
            await Task.WhenAny(Task.WhenAll(runningCaller, runningHandler), Task.Delay(TimeSpan.FromSeconds(20)));
        }
        var callerOnly = CallerWorker(client, callerQueue);
        using (callerOnly)
        {
            using var stop = new CancellationTokenSource();
            var running = callerOnly.ExecuteAsync(stop.Token);
            foreach (var name in names.Skip(Started))
            {
                callers[name] = await StartCallerAsync(client, callerQueue, endpoint, name);
            }
            foreach (var name in names.Skip(Started))
            {
                await Wait.UntilAsync(async () => (await client.GetWorkflowHandle(callers[name]).EventsAsync()).Types(),
                    types => types.Contains(EventType.NexusOperationScheduled), $"operation {name} to be scheduled");
            }
            await first.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(20)));
        }

        await using var second = await TemporaProcess.StartForAsync(_db, port: first.Port, logName: "nexus-crash-2");
        var client2 = await TemporalClient.ConnectAsync(new(second.Address));
        var handlerClient2 = await TemporalClient.ConnectAsync(new(second.Address) { Namespace = HandlerNamespace });
        using var callerWorker2 = CallerWorker(client2, callerQueue);
        using var handlerWorker2 = HandlerWorker(handlerClient2, handlerQueue);
        await callerWorker2.ExecuteAsync(() => handlerWorker2.ExecuteAsync(async () =>
        {
            foreach (var name in names)
            {
                // The started ones' handler workflows survived; the others are started by the retried requests.
                var handlerRun = handlerClient2.GetWorkflowHandle<GoWorkflow>($"nexus-crash-handler-{name}");
                await Wait.UntilAsync(async () =>
                {
                    try
                    {
                        await handlerRun.SignalAsync(wf => wf.GoAsync());
                        return true;
                    }
                    catch (Temporalio.Exceptions.RpcException e) when (e.Code == Temporalio.Exceptions.RpcException.StatusCode.NotFound)
                    {
                        return false;
                    }
                }, signalled => signalled, $"handler workflow of {name}", TimeSpan.FromSeconds(60));
            }
            foreach (var name in names)
            {
                var caller = client2.GetWorkflowHandle(callers[name]);
                Assert.Equal($"done {name}", await caller.GetResultAsync<string>().WithTimeout($"caller of {name} after the restart", TimeSpan.FromSeconds(60)));
                var types = (await caller.EventsAsync()).Types();
                Assert.Equal(1, types.Count(t => t == EventType.NexusOperationScheduled));
                Assert.Equal(1, types.Count(t => t == EventType.NexusOperationStarted));
                Assert.Equal(1, types.Count(t => t == EventType.NexusOperationCompleted));
            }
            return true;
        }));
    }

    private static TemporalWorker CallerWorker(TemporalClient client, string taskQueue) =>
        new(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CrashCallerWorkflow>());

    private static TemporalWorker HandlerWorker(TemporalClient client, string taskQueue) =>
        new(client, new TemporalWorkerOptions(taskQueue).AddNexusService(new CrashService()).AddWorkflow<GoWorkflow>());

    private static async Task<string> StartCallerAsync(TemporalClient client, string taskQueue, string endpoint, string name) =>
        (await client.StartWorkflowAsync((CrashCallerWorkflow wf) => wf.RunAsync(endpoint, name),
            new(ServerFixture.NewWorkflowId("nexus-crash-caller"), taskQueue))).Id;
}
