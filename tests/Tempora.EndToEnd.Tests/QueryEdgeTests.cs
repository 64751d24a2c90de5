using System.Diagnostics;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class QueryEdgeTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task Query_RejectNotOpenOnCompletedWorkflow_ThrowsRejectedWithCompletedStatus()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = NewWorker(taskQueue);

        var ex = await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await handle.SignalAsync(wf => wf.FinishAsync("done"));
            await handle.GetResultAsync().WithTimeout("workflow to complete");
            var options = new WorkflowQueryOptions
            {
                RejectCondition = QueryRejectCondition.NotOpen,
                Rpc = new RpcOptions { Timeout = TimeSpan.FromSeconds(10) },
            };
            return await Assert.ThrowsAsync<WorkflowQueryRejectedException>(
                () => handle.QueryAsync(wf => wf.State(), options).WithTimeout("query to be rejected"));
        });

        Assert.Equal(WorkflowExecutionStatus.Completed, ex.WorkflowStatus);
    }

    [Fact]
    public async Task Query_WorkerStopped_ThrowsAtCallerDeadline()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        WorkflowHandle<WaitForFinishWorkflow> handle;
        using (var worker = NewWorker(taskQueue))
        {
            handle = await worker.ExecuteAsync(async () =>
            {
                var h = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
                Assert.Equal("waiting", await h.QueryAsync(wf => wf.State()).WithTimeout("query while the worker runs"));
                return h;
            });
        }

        var watch = Stopwatch.StartNew();
        var query = handle.QueryAsync(wf => wf.State(), new WorkflowQueryOptions { Rpc = new RpcOptions { Timeout = TimeSpan.FromSeconds(3) } });
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => query.WithTimeout("query without a worker to give up", TimeSpan.FromSeconds(10)));
        watch.Stop();

        // The SDK reports its own RPC deadline as RpcException(Cancelled, "Timeout expired"); upstream has no earlier server-side limit.
        Assert.True(
            ex is OperationCanceledException
                || ex is RpcException { Code: RpcException.StatusCode.DeadlineExceeded or RpcException.StatusCode.Cancelled },
            $"expected a deadline/cancellation error, got {ex.GetType().Name}: {ex.Message}");
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"the query should wait for a worker until its deadline, failed after {watch.Elapsed}");
        await handle.TerminateAsync("test done");
    }

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
}
