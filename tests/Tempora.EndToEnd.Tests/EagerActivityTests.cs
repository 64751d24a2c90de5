using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Eager activity execution: a worker that schedules an activity on its own task queue and asks for it eagerly gets
/// the first attempt back with its workflow task completion, so that attempt is never polled. A server of this
/// class's own, so that the matching metrics count only these runs.
/// </summary>
public sealed class EagerActivityTests : IAsyncLifetime
{
    private OwnServer? _own;

    private TemporalClient Client => _own!.Client;

    public async Task InitializeAsync() => _own = await OwnServer.StartAsync("eager");

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    [Fact]
    public async Task EagerActivity_StartsWithTheCompletion_NeverPolled_AndHistoryNamesTheWorker()
    {
        const int Workflows = 3;
        var taskQueue = ServerFixture.NewTaskQueue("eager");
        var handles = new List<WorkflowHandle<HelloWorkflow, string>>();
        var activityPolls = await CountActivityPollsAsync(taskQueue, new TemporalWorkerOptions(taskQueue), async () =>
        {
            for (var i = 0; i < Workflows; i++)
            {
                var handle = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("eager"),
                    new(ServerFixture.NewWorkflowId("eager"), taskQueue));
                Assert.Equal("Hello, eager!", await handle.GetResultAsync());
                handles.Add(handle);
            }
        });

        Assert.Equal(0, activityPolls);
        Assert.Equal(Workflows, (await _own!.ScrapeAsync()).Value($"activity_eager_execution{{namespace=\"default\",taskqueue=\"{taskQueue}\"}}"));
        foreach (var handle in handles)
        {
            var history = await handle.FetchHistoryAsync();
            var started = Assert.Single(history.Events, e => e.EventType == EventType.ActivityTaskStarted);
            Assert.Equal(Client.Connection.Options.Identity, started.ActivityTaskStartedEventAttributes.Identity);
            Assert.Equal(1, started.ActivityTaskStartedEventAttributes.Attempt);
        }
    }

    [Fact]
    public async Task EagerActivity_FailedFirstAttempt_RetriesThroughTheQueue()
    {
        var taskQueue = ServerFixture.NewTaskQueue("eager-retry");
        var activityPolls = await CountActivityPollsAsync(taskQueue, new TemporalWorkerOptions(taskQueue), async () =>
            Assert.Equal("succeeded on attempt 3", await Client.ExecuteWorkflowAsync(
                (RetryingActivityWorkflow wf) => wf.RunAsync(RetryingActivityWorkflow.Mode.FailTwice),
                new(ServerFixture.NewWorkflowId("eager-retry"), taskQueue))));

        // Attempt 1 ran eagerly; attempts 2 and 3 were retries, dispatched to the queue after their backoff.
        Assert.Equal(2, activityPolls);
    }

    [Fact]
    public async Task EagerActivity_DisabledByTheWorker_GoesThroughTheQueue()
    {
        var taskQueue = ServerFixture.NewTaskQueue("eager-off");
        var activityPolls = await CountActivityPollsAsync(taskQueue,
            new TemporalWorkerOptions(taskQueue) { DisableEagerActivityExecution = true }, async () =>
                Assert.Equal("Hello, queue!", await Client.ExecuteWorkflowAsync(
                    (HelloWorkflow wf) => wf.RunAsync("queue"), new(ServerFixture.NewWorkflowId("eager-off"), taskQueue))));

        Assert.Equal(1, activityPolls);
        Assert.Equal(0, (await _own!.ScrapeAsync()).Value($"activity_eager_execution{{taskqueue=\"{taskQueue}\"}}"));
    }

    /// <summary>Runs <paramref name="run"/> under a worker and returns how many activity tasks polls handed out on the queue.</summary>
    private async Task<double> CountActivityPollsAsync(string taskQueue, TemporalWorkerOptions options, Func<Task> run)
    {
        var series = $"poll_success{{taskqueue=\"{taskQueue}\",task_type=\"Activity\"}}";
        var before = await _own!.ScrapeAsync();
        using var worker = new TemporalWorker(Client, options
            .AddWorkflow<HelloWorkflow>()
            .AddWorkflow<RetryingActivityWorkflow>()
            .AddAllActivities(new GreetingActivities())
            .AddAllActivities(new RetryActivities()));
        await worker.ExecuteAsync(run);
        var after = await _own.ScrapeAsync();
        return after.Value(series) - before.Value(series);
    }
}
