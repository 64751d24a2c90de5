using Tempora.History.Queues;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>A server whose timer queue holds two rows and two seconds ahead still fires every timer, in order.</summary>
public sealed class TimerPagingTests
{
    [Fact]
    public async Task ManyTimers_TinyWindow_AllFireInOrder()
    {
        await using var server = await OwnServer.StartAsync("timer-paging", o => o with
        {
            TimerPaging = new TimerPaging(TimeSpan.FromSeconds(2), 2),
        });
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(server.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<ManyTimersWorkflow>());

        var order = await worker.ExecuteAsync(async () =>
        {
            var handle = await server.Client.StartWorkflowAsync((ManyTimersWorkflow wf) => wf.RunAsync(8),
                new(ServerFixture.NewWorkflowId(), taskQueue));
            return await handle.GetResultAsync().WithTimeout("eight timers past a two-row window");
        });

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], order);
    }
}

/// <summary>Starts timers of 0.5 s, 1 s, … at once (latest first) and returns the order in which they fired.</summary>
[Workflow]
public sealed class ManyTimersWorkflow
{
    [WorkflowRun]
    public async Task<List<int>> RunAsync(int count)
    {
        var fired = new List<int>();
        var timers = Enumerable.Range(1, count).Reverse()
            .Select(async i =>
            {
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(500 * i));
                fired.Add(i);
            })
            .ToList();
        await Workflow.WhenAllAsync(timers);
        return fired;
    }
}
