using Tempora.Server;
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
    private readonly TestDatabase _database = new("eager");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private TemporaServer? _server;
    private TemporalClient? _client;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartServerAsync(
            _database.Apply(new TemporaOptions { Ip = "127.0.0.1", Port = 0, UiPort = 0, MetricsPort = 0, Headless = true }), "eager");
        _client = await ServerFixture.ConnectAsync(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _database.Dispose();
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
                var handle = await _client!.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("eager"),
                    new(ServerFixture.NewWorkflowId("eager"), taskQueue));
                Assert.Equal("Hello, eager!", await handle.GetResultAsync());
                handles.Add(handle);
            }
        });

        Assert.Equal(0, activityPolls);
        foreach (var handle in handles)
        {
            var history = await handle.FetchHistoryAsync();
            var started = Assert.Single(history.Events, e => e.EventType == EventType.ActivityTaskStarted);
            Assert.Equal(_client!.Connection.Options.Identity, started.ActivityTaskStartedEventAttributes.Identity);
            Assert.Equal(1, started.ActivityTaskStartedEventAttributes.Attempt);
        }
    }

    [Fact]
    public async Task EagerActivity_FailedFirstAttempt_RetriesThroughTheQueue()
    {
        var taskQueue = ServerFixture.NewTaskQueue("eager-retry");
        var activityPolls = await CountActivityPollsAsync(taskQueue, new TemporalWorkerOptions(taskQueue), async () =>
            Assert.Equal("succeeded on attempt 3", await _client!.ExecuteWorkflowAsync(
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
                Assert.Equal("Hello, queue!", await _client!.ExecuteWorkflowAsync(
                    (HelloWorkflow wf) => wf.RunAsync("queue"), new(ServerFixture.NewWorkflowId("eager-off"), taskQueue))));

        Assert.Equal(1, activityPolls);
    }

    /// <summary>Runs <paramref name="run"/> under a worker and returns how many activity tasks polls handed out on the queue.</summary>
    private async Task<double> CountActivityPollsAsync(string taskQueue, TemporalWorkerOptions options, Func<Task> run)
    {
        var series = $"poll_success{{taskqueue=\"{taskQueue}\",task_type=\"Activity\"}}";
        var before = await ObservabilityScrape.ScrapeAsync(_http, _server!.MetricsAddress);
        using var worker = new TemporalWorker(_client!, options
            .AddWorkflow<HelloWorkflow>()
            .AddWorkflow<RetryingActivityWorkflow>()
            .AddAllActivities(new GreetingActivities())
            .AddAllActivities(new RetryActivities()));
        await worker.ExecuteAsync(run);
        var after = await ObservabilityScrape.ScrapeAsync(_http, _server.MetricsAddress);
        return after.Value(series) - before.Value(series);
    }
}
