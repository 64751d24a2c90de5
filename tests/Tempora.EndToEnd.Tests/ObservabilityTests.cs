using System.Net;
using Tempora.Server;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// /metrics and /health/* of a server of this class's own (so that counts are exact): workflows run through the SDK
/// move Temporal's series, and none of them carries a workflow id.
/// </summary>
public sealed class ObservabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private OwnServer? _own;

    private TemporaServer Server => _own!.Server;

    private TemporalClient Client => _own!.Client;

    private HttpClient Http => _own!.Http;

    public async Task InitializeAsync()
    {
        _own = await OwnServer.StartAsync("observability");
        output.WriteLine($"gRPC {Server.GrpcAddress}, metrics {Server.MetricsAddress}");
    }

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    [Fact]
    public async Task Metrics_AfterWorkflows_TemporalSeriesMoved()
    {
        const int Workflows = 3;
        var before = await _own!.ScrapeAsync();
        var taskQueue = ServerFixture.NewTaskQueue("obs");
        var workflowIds = Enumerable.Range(0, Workflows).Select(_ => ServerFixture.NewWorkflowId("obs")).ToList();
        // Eager activities never pass through matching; this test counts matching's series.
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue) { DisableEagerActivityExecution = true }
            .AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            foreach (var id in workflowIds)
            {
                var handle = await Client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("metrics"), new(id, taskQueue));
                Assert.Equal("Hello, metrics!", await handle.GetResultAsync());
            }
        });

        var after = await _own!.ScrapeAsync();
        double Delta(string series) => after.Value(series) - before.Value(series);

        Assert.Equal(Workflows, Delta("service_requests{operation=\"StartWorkflowExecution\"}"));
        // Temporal's labels: the role as service_name, the namespace on frontend and matching series, the task queue.
        Assert.Equal(Workflows, Delta("service_requests{service_name=\"frontend\",namespace=\"default\",operation=\"StartWorkflowExecution\"}"));
        Assert.True(Delta("persistence_requests{service_name=\"history\"}") > 0);
        Assert.Equal(Workflows, Delta("workflow_success{service_name=\"history\",namespace=\"default\"}"));
        Assert.True(Delta($"poll_success{{service_name=\"matching\",namespace=\"default\",taskqueue=\"{taskQueue}\",task_type=\"Activity\"}}") >= Workflows);
        Assert.Equal(Workflows, Delta("service_latency_count{operation=\"StartWorkflowExecution\"}"));
        Assert.True(after.Has("service_latency_bucket"), "service_latency is a histogram with buckets");
        Assert.Equal(Workflows, Delta("workflow_success{namespace=\"default\"}"));
        Assert.True(Delta("persistence_requests{operation=\"UpdateWorkflowExecution\"}") >= Workflows * 3,
            "each run commits at least start, activity scheduling and completion");
        Assert.True(after.Value("persistence_latency_count{operation=\"UpdateWorkflowExecution\"}") > 0);
        // Every workflow task and activity task was taken by a poll, and the pollers were waiting: sync match.
        Assert.True(Delta("poll_success{task_type=\"Workflow\"}") >= Workflows * 2);
        Assert.True(Delta("poll_success{task_type=\"Activity\"}") >= Workflows);
        Assert.True(after.Value("poll_success_sync{task_type=\"Activity\"}") > 0);
        Assert.True(Delta("task_schedule_to_start_latency_count{task_type=\"Activity\"}") >= Workflows);
        Assert.Equal(4, after.Value("numshards_gauge"));

        // Counters keep Temporal's names: no _total suffix on our own series.
        Assert.DoesNotContain("service_requests_total", after.Text, StringComparison.Ordinal);
        // Process and .NET runtime metrics.
        Assert.True(after.Has("process_cpu_seconds_total"), "process metrics");
        Assert.True(after.Has("process_working_set_bytes"), "process metrics");
        Assert.True(after.Has("dotnet_collection_count_total"), "runtime metrics");
        // Bounded labels: no workflow id or run id reaches a label, and every worker's sticky queue is one label
        // value (the SDK polls its sticky queue for the workflow tasks after the first).
        foreach (var id in workflowIds)
        {
            Assert.DoesNotContain(id, after.Text, StringComparison.Ordinal);
        }
        var workflowQueues = after.LabelValues("poll_success", "taskqueue")
            .Where(q => q != "__sticky__" && !before.LabelValues("poll_success", "taskqueue").Contains(q)).ToList();
        Assert.Equal([taskQueue], workflowQueues);
        if (!TemporalWorkerOptions.CacheDisabled)
        {
            Assert.True(Delta("poll_success{taskqueue=\"__sticky__\",task_type=\"Workflow\"}") >= Workflows,
                "each run's second workflow task goes to the worker's sticky queue");
        }
    }

    [Fact]
    public async Task Metrics_TimersAndActivityTimeouts_Counted()
    {
        var before = await _own!.ScrapeAsync();
        var taskQueue = ServerFixture.NewTaskQueue("obs-timeout");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<TimeoutThenTimerWorkflow>()
            .AddAllActivities(new SlowActivities()));
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((TimeoutThenTimerWorkflow wf) => wf.RunAsync(),
                new(ServerFixture.NewWorkflowId("obs-timeout"), taskQueue));
            Assert.Equal("timed out", await handle.GetResultAsync());
        });
        var after = await _own!.ScrapeAsync();
        double Delta(string series) => after.Value(series) - before.Value(series);

        Assert.Equal(1, Delta("start_to_close_timeout{service_name=\"history\",namespace=\"default\"}"));
        Assert.True(Delta("timer_task_fired{timer_type=\"ActivityTimeout\"}") >= 1);
        Assert.Equal(1, Delta("timer_task_fired{timer_type=\"UserTimer\"}"));
    }

    [Fact]
    public async Task Metrics_FailedRequest_CountsErrorByType()
    {
        var before = await _own!.ScrapeAsync();
        await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() =>
            Client.GetWorkflowHandle(ServerFixture.NewWorkflowId("missing")).DescribeAsync());
        var after = await _own!.ScrapeAsync();

        Assert.Equal(1, after.Value("service_errors_entity_not_found{namespace=\"default\",operation=\"DescribeWorkflowExecution\"}")
            - before.Value("service_errors_entity_not_found{namespace=\"default\",operation=\"DescribeWorkflowExecution\"}"));
        Assert.Equal(1, after.Value("service_error_with_type{operation=\"DescribeWorkflowExecution\",error_type=\"serviceerror_NotFound\"}")
            - before.Value("service_error_with_type{operation=\"DescribeWorkflowExecution\",error_type=\"serviceerror_NotFound\"}"));
    }

    [Fact]
    public async Task Health_Live_And_Ready_Answer200()
    {
        using var live = await Http.GetAsync(new Uri($"http://{Server.MetricsAddress}/health/live"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await Http.GetAsync(new Uri($"http://{Server.MetricsAddress}/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"ready\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OnGrpcPort_NotServed()
    {
        // The gRPC listener is HTTP/2-only; an HTTP/1.1 scrape there never reaches /metrics.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Http.GetStringAsync(new Uri($"http://{Server.GrpcAddress}/metrics")));
    }
}

/// <summary>The off switch (`metrics: false`, `start-dev --no-metrics`): no /metrics, the health endpoints stay.</summary>
public sealed class ObservabilityMetricsOffTests : IAsyncLifetime
{
    private OwnServer? _own;

    public async Task InitializeAsync() =>
        _own = await OwnServer.StartAsync("observability-off", options => options with { Metrics = false });

    public async Task DisposeAsync()
    {
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }

    [Fact]
    public async Task MetricsOff_MetricsNotFound_HealthServed()
    {
        using var metrics = await _own!.Http.GetAsync(new Uri($"http://{_own.Server.MetricsAddress}/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        using var ready = await _own.Http.GetAsync(new Uri($"http://{_own.Server.MetricsAddress}/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}

/// <summary>Runs an activity that outlives its 1 s start-to-close timeout (one attempt), then a 100 ms timer.</summary>
[Workflow]
public sealed class TimeoutThenTimerWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        try
        {
            await Workflow.ExecuteActivityAsync((SlowActivities a) => a.SleepAsync(), new ActivityOptions
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(1),
                RetryPolicy = new() { MaximumAttempts = 1 },
            });
            return "finished";
        }
        catch (ActivityFailureException)
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(100));
            return "timed out";
        }
    }
}
