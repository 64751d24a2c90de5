using Google.Protobuf;
using Temporalio.Api.Common.V1;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>GetWorkflowExecutionHistory through the raw service: page tokens, long polls for new events, close-event filter.</summary>
[Collection(ServerCollection.Name)]
public sealed class HistoryPagingTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.Connection.WorkflowService;

    [Fact]
    public async Task GetHistory_PageSizeThree_PagesAreContiguousAndMatchFullHistory()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(
            Client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("paging"), new(ServerFixture.NewWorkflowId(), taskQueue));
            await h.GetResultAsync().WithTimeout("hello workflow");
            return h;
        });
        var full = await handle.EventsAsync();
        Assert.True(full.Count >= 10, $"expected at least 10 events, got {full.Count}");

        var paged = new List<HistoryEvent>();
        var token = ByteString.Empty;
        var pages = 0;
        do
        {
            Assert.True(++pages <= 100, "paging did not terminate");
            var response = await Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
            {
                Namespace = "default",
                Execution = Execution(handle),
                MaximumPageSize = 3,
                NextPageToken = token,
            });
            Assert.InRange(response.History.Events.Count, 0, 3);
            paged.AddRange(response.History.Events);
            token = response.NextPageToken;
        }
        while (!token.IsEmpty);

        Assert.True(pages >= (full.Count + 2) / 3, $"{full.Count} events should need at least {(full.Count + 2) / 3} pages of 3, got {pages}");
        Assert.Equal(Enumerable.Range(1, paged.Count).Select(i => (long)i), paged.Select(e => e.EventId));
        Assert.Equal(full, paged);
    }

    [Fact]
    public async Task GetHistory_BogusNextPageToken_ThrowsInvalidArgument()
    {
        var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));
        var garbage = new byte[40];
        Random.Shared.NextBytes(garbage);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = "default",
            Execution = Execution(handle),
            NextPageToken = ByteString.CopyFrom(garbage),
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        await handle.TerminateAsync("test done");
    }

    [Fact]
    public async Task GetHistory_TokenOfAnotherRun_ThrowsInvalidArgument()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var first = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
        var second = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
        var page = await Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = "default",
            Execution = Execution(first),
            MaximumPageSize = 1,
        });
        Assert.False(page.NextPageToken.IsEmpty, "a one-event page of a two-event history must carry a token");

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = "default",
            Execution = Execution(second),
            MaximumPageSize = 1,
            NextPageToken = page.NextPageToken,
        }));

        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        await first.TerminateAsync("test done");
        await second.TerminateAsync("test done");
    }

    [Fact]
    public async Task GetHistory_CloseEventFilterOnClosedWorkflow_ReturnsOnlyCloseEventWithoutToken()
    {
        var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));
        await handle.TerminateAsync("closed for the test");

        var response = await Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
        {
            Namespace = "default",
            Execution = Execution(handle),
            HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
        });

        var close = Assert.Single(response.History.Events);
        Assert.Equal(EventType.WorkflowExecutionTerminated, close.EventType);
        Assert.True(response.NextPageToken.IsEmpty, "nothing follows the close event");
    }

    [Fact]
    public async Task GetHistory_WaitNewEventWithToken_ReturnsSignalSentWhileWaiting()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<CollectSignalsWorkflow>());

        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((CollectSignalsWorkflow wf) => wf.RunAsync(2), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskCompleted);

            var first = await Raw.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
            {
                Namespace = "default",
                Execution = Execution(handle),
                WaitNewEvent = true,
            });
            Assert.False(first.NextPageToken.IsEmpty, "the last page of a running workflow read with wait_new_event must carry a token");
            Assert.NotEmpty(first.History.Events);
            var lastSeen = first.History.Events[^1].EventId;

            var waiting = Raw.GetWorkflowExecutionHistoryAsync(
                new GetWorkflowExecutionHistoryRequest
                {
                    Namespace = "default",
                    Execution = Execution(handle),
                    WaitNewEvent = true,
                    NextPageToken = first.NextPageToken,
                },
                new RpcOptions { Timeout = TimeSpan.FromSeconds(30) });
            await Task.Run(() => handle.SignalAsync(wf => wf.AddAsync("wake up")));
            var news = await waiting.WithTimeout("waiting history call to return the signal", TimeSpan.FromSeconds(10));

            Assert.NotEmpty(news.History.Events);
            Assert.Equal(lastSeen + 1, news.History.Events[0].EventId);
            Assert.Contains(news.History.Events, e => e.EventType == EventType.WorkflowExecutionSignaled);
            Assert.False(news.NextPageToken.IsEmpty, "the workflow is still running, so the token must stay");
            await handle.TerminateAsync("test done");
        });
    }

    [Fact]
    public async Task GetHistory_CloseEventFilterWaitingOnRunningWorkflow_ReturnsOnlyCloseEvent()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());

        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue));
            await Wait.ForHistoryEventAsync(handle, EventType.WorkflowTaskCompleted);

            var waiting = Raw.GetWorkflowExecutionHistoryAsync(
                new GetWorkflowExecutionHistoryRequest
                {
                    Namespace = "default",
                    Execution = Execution(handle),
                    WaitNewEvent = true,
                    HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
                },
                new RpcOptions { Timeout = TimeSpan.FromSeconds(30) });
            await Task.Run(() => handle.SignalAsync(wf => wf.FinishAsync("closed")));
            var response = await waiting.WithTimeout("close-event call to return once the workflow completes", TimeSpan.FromSeconds(10));

            var close = Assert.Single(response.History.Events);
            Assert.Equal(EventType.WorkflowExecutionCompleted, close.EventType);
            Assert.True(response.NextPageToken.IsEmpty, "a returned close event ends the stream");
            var all = await handle.EventsAsync();
            Assert.Equal(all[^1], close);
        });
    }

    private static WorkflowExecution Execution(WorkflowHandle handle) =>
        new() { WorkflowId = handle.Id, RunId = handle.ResultRunId ?? string.Empty };
}
