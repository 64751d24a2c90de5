using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class CronTests(ServerFixture fixture)
{
    private static readonly TimeSpan CronWait = TimeSpan.FromSeconds(6);

    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task CronSchedule_EveryTwoSeconds_RunsRepeatWithLastCompletionResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId("cron");
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue) { CronSchedule = "@every 2s" };

        var (firstRunId, firstEvents, secondRunId, secondEvents, thirdRunId) = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CronCounterWorkflow wf) => wf.RunAsync(), options);
            var first = await WaitForCloseAsync(workflowId, h.ResultRunId!);
            var secondId = first[^1].WorkflowExecutionCompletedEventAttributes?.NewExecutionRunId ?? string.Empty;
            Assert.False(string.IsNullOrEmpty(secondId), "a completed cron run should name the next run");
            var second = await WaitForCloseAsync(workflowId, secondId);
            var thirdId = second[^1].WorkflowExecutionCompletedEventAttributes?.NewExecutionRunId ?? string.Empty;
            await Client.GetWorkflowHandle(workflowId).TerminateAsync("cron test done");
            return (h.ResultRunId!, first, secondId, second, thirdId);
        });

        var firstStarted = firstEvents[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal("@every 2s", firstStarted.CronSchedule);
        var firstBackoff = firstStarted.FirstWorkflowTaskBackoff?.ToTimeSpan() ?? TimeSpan.Zero;
        Assert.True(firstBackoff > TimeSpan.Zero && firstBackoff <= TimeSpan.FromSeconds(2), $"first cron backoff {firstBackoff}");
        Assert.Equal(1, ResultOf(firstEvents));

        var secondStarted = secondEvents[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal(ContinueAsNewInitiator.CronSchedule, secondStarted.Initiator);
        Assert.Equal(firstRunId, secondStarted.ContinuedExecutionRunId);
        Assert.Equal(firstRunId, secondStarted.FirstExecutionRunId);
        Assert.Equal("@every 2s", secondStarted.CronSchedule);
        Assert.Equal(1, secondStarted.Attempt);
        Assert.NotNull(secondStarted.LastCompletionResult);
        Assert.Equal(1, DataConverter.Default.PayloadConverter.ToValue<int>(secondStarted.LastCompletionResult.Payloads_[0]));
        Assert.Equal(2, ResultOf(secondEvents));

        Assert.Equal(WorkflowExecutionStatus.Completed, (await Client.GetWorkflowHandle(workflowId, runId: firstRunId).DescribeAsync()).Status);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await Client.GetWorkflowHandle(workflowId, runId: secondRunId).DescribeAsync()).Status);
        var latest = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(thirdRunId, latest.RunId);
        Assert.Equal(WorkflowExecutionStatus.Terminated, latest.Status);
    }

    [Fact]
    public async Task CronSchedule_FirstRun_WorkflowSeesNoLastResultAndCronInInfo()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var workflowId = ServerFixture.NewWorkflowId("cron");
        using var worker = NewWorker(taskQueue);
        var options = new WorkflowOptions(workflowId, taskQueue) { CronSchedule = "@every 1s" };

        var events = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((CronInfoWorkflow wf) => wf.RunAsync(), options);
            var first = await WaitForCloseAsync(workflowId, h.ResultRunId!);
            await Client.GetWorkflowHandle(workflowId).TerminateAsync("cron test done");
            return first;
        });

        var result = events[^1].WorkflowExecutionCompletedEventAttributes.Result.Payloads_[0];
        Assert.Equal("cron=@every 1s; last=<none>", DataConverter.Default.PayloadConverter.ToValue<string>(result));
    }

    [Theory]
    [InlineData("not a cron")]
    [InlineData("61 * * * *")]
    [InlineData("@every banana")]
    public async Task StartWorkflow_InvalidCronSchedule_InvalidArgument(string schedule)
    {
        var options = new WorkflowOptions(ServerFixture.NewWorkflowId("cron"), ServerFixture.NewTaskQueue()) { CronSchedule = schedule };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.StartWorkflowAsync((CronCounterWorkflow wf) => wf.RunAsync(), options));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public async Task StartWorkflow_CronWithStartDelay_InvalidArgument()
    {
        var options = new WorkflowOptions(ServerFixture.NewWorkflowId("cron"), ServerFixture.NewTaskQueue())
        {
            CronSchedule = "@every 2s",
            StartDelay = TimeSpan.FromSeconds(5),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.StartWorkflowAsync((CronCounterWorkflow wf) => wf.RunAsync(), options));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
    }

    private static int ResultOf(IReadOnlyList<HistoryEvent> events) =>
        DataConverter.Default.PayloadConverter.ToValue<int>(events[^1].WorkflowExecutionCompletedEventAttributes.Result.Payloads_[0]);

    private Task<IReadOnlyList<HistoryEvent>> WaitForCloseAsync(string workflowId, string runId) =>
        Wait.UntilAsync(
            () => Client.GetWorkflowHandle(workflowId, runId: runId).EventsAsync(),
            events => events.Count > 0 && events[^1].EventType == EventType.WorkflowExecutionCompleted,
            $"cron run {runId} to complete",
            CronWait);

    private TemporalWorker NewWorker(string taskQueue) =>
        new(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<CronCounterWorkflow>()
            .AddWorkflow<CronInfoWorkflow>());
}

/// <summary>Returns one more than the previous cron run's result (1 on the first run).</summary>
[Workflow]
public sealed class CronCounterWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync()
    {
        var previous = Workflow.Info.LastResult is { Count: > 0 } last
            ? Workflow.PayloadConverter.ToValue<int>(last.First().Payload)
            : 0;
        return Task.FromResult(previous + 1);
    }
}

/// <summary>Reports the cron schedule and last result it sees.</summary>
[Workflow]
public sealed class CronInfoWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() =>
        Task.FromResult($"cron={Workflow.Info.CronSchedule ?? "<none>"}; last={(Workflow.Info.LastResult is { Count: > 0 } ? "set" : "<none>")}");
}
