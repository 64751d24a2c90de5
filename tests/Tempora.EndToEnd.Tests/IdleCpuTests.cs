using System.Diagnostics;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A server nobody talks to uses next to no CPU: measured on a real `tempora` process over a few idle seconds when
/// fresh, after its last timer fired, and after a burst of refused requests. The bound (a fifth of a core) is far
/// above what an idle server needs and far below a busy loop, which costs a whole core whatever the machine's load.
/// </summary>
[Collection(nameof(IdleCpuTests))]
public sealed class IdleCpuTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);
    private const double MaxCoresWhileIdle = 0.2;

    private readonly TestDatabase _db = new("idle_cpu");

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task AnIdleServer_UsesNextToNoCpu_Fresh_AfterTimersFired_AndAfterBadRequests()
    {
        await using var server = await TemporaProcess.StartForAsync(_db, logName: "idle-cpu");
        await AssertIdleAsync(server, "fresh");

        var client = await TemporalClient.ConnectAsync(new(server.Address));
        var taskQueue = ServerFixture.NewTaskQueue("idle-cpu");
        using (var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<ShortSleepWorkflow>()))
        {
            await worker.ExecuteAsync(() => client.ExecuteWorkflowAsync(
                (ShortSleepWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("idle-cpu"), taskQueue)));
        }
        await AssertIdleAsync(server, "after its last timer fired");

        for (var i = 0; i < 50; i++)
        {
            var refused = await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() => client.WorkflowService.StartWorkflowExecutionAsync(
                new StartWorkflowExecutionRequest { Namespace = "default", WorkflowId = string.Empty }));
            Assert.Equal(Temporalio.Exceptions.RpcException.StatusCode.InvalidArgument, refused.Code);
        }
        await AssertIdleAsync(server, "after 50 refused requests");
    }

    private async Task AssertIdleAsync(TemporaProcess server, string when)
    {
        await Task.Delay(Settle);
        using var process = Process.GetProcessById(server.Pid);
        var before = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(Window);
        process.Refresh();
        var cores = (process.TotalProcessorTime - before) / clock.Elapsed;
        output.WriteLine($"{when}: {cores:0.000} cores over {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.True(cores < MaxCoresWhileIdle, $"the idle server ({when}) used {cores:0.00} cores over {clock.Elapsed.TotalSeconds:0.0}s; log {server.LogFile}");
    }

    [Workflow]
    public class ShortSleepWorkflow
    {
        [WorkflowRun]
        public Task RunAsync() => Workflow.DelayAsync(TimeSpan.FromMilliseconds(300));
    }
}
