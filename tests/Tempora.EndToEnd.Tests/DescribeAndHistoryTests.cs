using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class DescribeAndHistoryTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task DescribeWorkflow_ExtendedInfo_HasCancelRequestAndExpirations()
    {
        var id = ServerFixture.NewWorkflowId("extended");
        var handle = await Client.StartWorkflowAsync("NoWorkerRunsThis", [], new(id, ServerFixture.NewTaskQueue())
        {
            RunTimeout = TimeSpan.FromMinutes(5),
            ExecutionTimeout = TimeSpan.FromMinutes(10),
        });
        await handle.CancelAsync();

        var d = await Client.WorkflowService.DescribeWorkflowExecutionAsync(new() { Namespace = "default", Execution = new() { WorkflowId = id } });

        var x = d.WorkflowExtendedInfo;
        Assert.True(x.CancelRequested);
        Assert.Equal(d.WorkflowExecutionInfo.StartTime, x.OriginalStartTime);
        Assert.Equal(d.WorkflowExecutionInfo.StartTime.ToDateTimeOffset() + TimeSpan.FromMinutes(5), x.RunExpirationTime.ToDateTimeOffset());
        Assert.Equal(d.WorkflowExecutionInfo.StartTime.ToDateTimeOffset() + TimeSpan.FromMinutes(10), x.ExecutionExpirationTime.ToDateTimeOffset());
        Assert.Equal("", x.ResetRunId);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task DescribeWorkflow_ActivityFailedOnce_ShowsPendingActivityWithAttemptAndLastFailure()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(
            Client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<AlwaysFailingActivityWorkflow>().AddAllActivities(new AlwaysFailingActivities()));

        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((AlwaysFailingActivityWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));

            var description = await Wait.UntilAsync(
                () => handle.DescribeRawAsync(),
                d => d.PendingActivities.Count == 1 && d.PendingActivities[0].Attempt >= 2,
                "pending activity to reach attempt 2");

            var pending = description.PendingActivities[0];
            Assert.Equal(nameof(AlwaysFailingActivities.AlwaysFail), pending.ActivityType.Name);
            Assert.NotNull(pending.LastFailure);
            Assert.Contains("always fails", pending.LastFailure.Message, StringComparison.Ordinal);
            Assert.Equal(PendingActivityState.Scheduled, pending.State);
            Assert.Equal(WorkflowExecutionStatus.Running, description.WorkflowExecutionInfo.Status);
            await handle.TerminateAsync("test done");
        });
    }

    [Fact]
    public async Task GetHistoryReverse_CompletedWorkflow_ReturnsEventsNewestFirst()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(
            Client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("reverse"), new(ServerFixture.NewWorkflowId(), taskQueue));
            await h.GetResultAsync().WithTimeout("hello workflow");
            return h;
        });
        var forward = await handle.EventsAsync();

        var reverse = new List<HistoryEvent>();
        var token = Google.Protobuf.ByteString.Empty;
        for (var page = 0; page < 100; page++)
        {
            var resp = await Client.Connection.WorkflowService.GetWorkflowExecutionHistoryReverseAsync(new GetWorkflowExecutionHistoryReverseRequest
            {
                Namespace = "default",
                Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId },
                MaximumPageSize = 4,
                NextPageToken = token,
            });
            reverse.AddRange(resp.History.Events);
            token = resp.NextPageToken;
            if (token.IsEmpty)
            {
                break;
            }
        }

        Assert.Equal(EventType.WorkflowExecutionCompleted, reverse[0].EventType);
        Assert.Equal(EventType.WorkflowExecutionStarted, reverse[^1].EventType);
        Assert.Equal(forward.Select(e => e.EventId).Reverse(), reverse.Select(e => e.EventId));
    }

    [Fact]
    public async Task DescribeTaskQueue_WorkerPolling_ListsPollerIdentity()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var identity = "e2e-poller-" + Guid.NewGuid().ToString("N");
        using var worker = new TemporalWorker(
            Client,
            new TemporalWorkerOptions(taskQueue) { Identity = identity }.AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));

        var pollers = await worker.ExecuteAsync(async () =>
        {
            var resp = await Wait.UntilAsync(
                () => Client.Connection.WorkflowService.DescribeTaskQueueAsync(new DescribeTaskQueueRequest
                {
                    Namespace = "default",
                    TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
                    TaskQueueType = TaskQueueType.Workflow,
                }),
                r => r.Pollers.Any(p => p.Identity == identity),
                $"poller {identity} to be listed on {taskQueue}");
            return resp.Pollers;
        });

        var poller = Assert.Single(pollers, p => p.Identity == identity);
        Assert.NotNull(poller.LastAccessTime);
    }
}

[Workflow]
public sealed class AlwaysFailingActivityWorkflow
{
    [WorkflowRun]
    public Task RunAsync() =>
        Workflow.ExecuteActivityAsync(
            (AlwaysFailingActivities a) => a.AlwaysFail(),
            new ActivityOptions
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(10),
                RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromSeconds(30) },
            });
}

public sealed class AlwaysFailingActivities
{
    [Activity]
    public void AlwaysFail() => throw new ApplicationFailureException("this activity always fails");
}
