using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Cluster.Membership;
using Tempora.Core;
using Tempora.History.Queues;
using Tempora.History.Tests.Clock;
using Tempora.Matching;
using Tempora.Persistence;
using Tempora.Persistence.Sqlite;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Tests.Engine;

/// <summary>
/// The history engine as the server wires it (SQLite file, matching, timer queue), on a fake clock, driven through
/// the calls the frontend makes. The only place the tests build an engine.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public const string TaskQueueName = "tq";

    private readonly string _directory;
    private readonly IPersistence _persistence;
    private readonly TimerQueue _timers;
    private readonly TransferQueue _transfers;

    private EngineHarness(string directory, IPersistence persistence, TestClock clock, MatchingEngine matching, TimerQueue timers,
        TransferQueue transfers, HistoryEngine history, NamespaceRecord ns)
    {
        _transfers = transfers;
        _directory = directory;
        _persistence = persistence;
        _timers = timers;
        Clock = clock;
        Matching = matching;
        History = history;
        Namespace = ns;
    }

    public TestClock Clock { get; }

    public MatchingEngine Matching { get; }

    public HistoryEngine History { get; }

    public NamespaceRecord Namespace { get; }

    /// <summary>When the test started, on the fake clock.</summary>
    public DateTimeOffset Start { get; private init; }

    public static async Task<EngineHarness> StartAsync(Tempora.Core.Versioning.IDeploymentRouting? deploymentRouting = null)
    {
        var directory = Directory.CreateTempSubdirectory("tempora-engine-").FullName;
        var persistence = await SqlitePersistence.OpenAsync(Path.Combine(directory, "tempora.db"), migrate: true,
            NullLogger<SqliteDatabase>.Instance, CancellationToken.None);
        var clock = new TestClock();
        var matching = new MatchingEngine(clock);
        var timers = new TimerQueue(clock, NullLogger<TimerQueue>.Instance);
        var namespaces = new NamespaceRegistry(persistence.Namespaces);
        var ownership = new SingleProcessShards(4);
        var transfers = new TransferQueue(clock, NullLogger<TransferQueue>.Instance);
        var history = new HistoryEngine(persistence.Executions, namespaces, matching, timers, transfers, new TaskIdAllocator(), clock,
            NullLogger<HistoryEngine>.Instance, ownership, options: new HistoryOptions { VerifyRebuild = true }, deploymentRouting: deploymentRouting);
        await namespaces.EnsureAsync("default", CancellationToken.None);
        await history.StartAsync(CancellationToken.None);
        await history.ShardsAcquiredAsync([.. Enumerable.Range(1, ownership.Count)], CancellationToken.None);
        var ns = await namespaces.GetByNameAsync("default", CancellationToken.None);
        return new EngineHarness(directory, persistence, clock, matching, timers, transfers, history, ns) { Start = clock.GetUtcNow() };
    }

    /// <summary>Starts a run on <see cref="TaskQueueName"/>; its workflow task timeout is a minute unless set.</summary>
    public async Task<WorkflowExecution> StartWorkflowAsync(Action<StartWorkflowExecutionRequest>? configure = null)
    {
        var request = new StartWorkflowExecutionRequest
        {
            Namespace = Namespace.Name,
            WorkflowId = $"wf-{Guid.NewGuid():N}",
            WorkflowType = new WorkflowType { Name = "Timed" },
            TaskQueue = new TaskQueue { Name = TaskQueueName, Kind = TaskQueueKind.Normal },
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
            Identity = "test",
            RequestId = Guid.NewGuid().ToString(),
        };
        configure?.Invoke(request);
        var started = await History.StartWorkflowExecutionAsync(Namespace, request, CancellationToken.None);
        return new WorkflowExecution { WorkflowId = request.WorkflowId, RunId = started.RunId };
    }

    /// <summary>The next workflow task, started as a poller would; waits (in real time) for one to be dispatched.</summary>
    public Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskAsync(string what) =>
        PollAsync(TaskKind.Workflow, what, task => History.RecordWorkflowTaskStartedAsync(Namespace, task,
            new PollWorkflowTaskQueueRequest { Namespace = Namespace.Name, Identity = "worker" }, CancellationToken.None));

    public Task<PollActivityTaskQueueResponse> PollActivityTaskAsync(string what) =>
        PollAsync(TaskKind.Activity, what, task => History.RecordActivityTaskStartedAsync(Namespace, task,
            new PollActivityTaskQueueRequest { Namespace = Namespace.Name, Identity = "worker" }, CancellationToken.None));

    /// <summary>The next task of <paramref name="kind"/> as matching holds it, not started (its directive can be read).</summary>
    public async Task<MatchingTask> TakeTaskAsync(TaskKind kind, string what)
    {
        MatchingTask? taken = null;
        await PollAsync<object>(kind, what, task =>
        {
            taken = task;
            return Task.FromResult<object?>(task);
        });
        return taken!;
    }

    /// <summary>True when a task of <paramref name="kind"/> waits in matching now.</summary>
    public bool HasTask(TaskKind kind) => Matching.BacklogCount(Queue(kind)) > 0;

    public Task<RespondWorkflowTaskCompletedResponse> CompleteWorkflowTaskAsync(PollWorkflowTaskQueueResponse task, params Command[] commands) =>
        CompleteWorkflowTaskAsync(task, null, commands);

    /// <summary>As above, for a worker that sets its <paramref name="configure"/>d fields (deployment options, behavior).</summary>
    public async Task<RespondWorkflowTaskCompletedResponse> CompleteWorkflowTaskAsync(PollWorkflowTaskQueueResponse task,
        Action<RespondWorkflowTaskCompletedRequest>? configure, params Command[] commands)
    {
        var request = new RespondWorkflowTaskCompletedRequest { Namespace = Namespace.Name, TaskToken = task.TaskToken, Identity = "worker" };
        configure?.Invoke(request);
        request.Commands.AddRange(commands);
        return await History.RespondWorkflowTaskCompletedAsync(request, CancellationToken.None);
    }

    /// <summary>Waits (in real time) for the run to close and returns its close event.</summary>
    public async Task<HistoryEvent> CloseEventAsync(WorkflowExecution execution)
    {
        // The long poll's deadline is on the fake clock, which the test does not move while this waits: an hour of
        // fake time, and the test gives up in real time.
        using var patience = new CancellationTokenSource(TestClock.Patience);
        var response = await History.GetWorkflowExecutionHistoryAsync(Namespace, new GetWorkflowExecutionHistoryRequest
        {
            Namespace = Namespace.Name,
            Execution = execution,
            WaitNewEvent = true,
            HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
        }, appendTransientEvents: false, TimeSpan.FromHours(1), patience.Token);
        return Assert.Single(response.History.Events);
    }

    /// <summary>The run's history as GetWorkflowExecutionHistory answers it now (no long poll, no transient events).</summary>
    public async Task<List<HistoryEvent>> HistoryAsync(WorkflowExecution run) =>
        [.. (await History.GetWorkflowExecutionHistoryAsync(Namespace, new GetWorkflowExecutionHistoryRequest { Namespace = Namespace.Name, Execution = run },
            appendTransientEvents: false, TimeSpan.Zero, CancellationToken.None)).History.Events];

    public Task<DescribeWorkflowExecutionResponse> DescribeAsync(WorkflowExecution run) =>
        History.DescribeWorkflowExecutionAsync(Namespace, new DescribeWorkflowExecutionRequest { Execution = run }, CancellationToken.None);

    /// <summary>Signals the run (signal "s"), which schedules its next workflow task.</summary>
    public Task SignalAsync(WorkflowExecution run) => History.SignalWorkflowExecutionAsync(Namespace,
        new SignalWorkflowExecutionRequest { Namespace = Namespace.Name, WorkflowExecution = run, SignalName = "s", RequestId = Guid.NewGuid().ToString() },
        CancellationToken.None);

    public static Command ScheduleActivity(string activityId, Action<ScheduleActivityTaskCommandAttributes> configure)
    {
        var attributes = new ScheduleActivityTaskCommandAttributes
        {
            ActivityId = activityId,
            ActivityType = new ActivityType { Name = "Act" },
            TaskQueue = new TaskQueue { Name = TaskQueueName, Kind = TaskQueueKind.Normal },
        };
        configure(attributes);
        return new Command { CommandType = CommandType.ScheduleActivityTask, ScheduleActivityTaskCommandAttributes = attributes };
    }

    public static Command StartTimer(string timerId, TimeSpan after) => new()
    {
        CommandType = CommandType.StartTimer,
        StartTimerCommandAttributes = new StartTimerCommandAttributes { TimerId = timerId, StartToFireTimeout = Duration.FromTimeSpan(after) },
    };

    private TaskQueueKey Queue(TaskKind kind) => new(Namespace.Id, TaskQueueName, kind);

    private async Task<T> PollAsync<T>(TaskKind kind, string what, Func<MatchingTask, Task<T?>> recordStarted)
        where T : class
    {
        using var patience = new CancellationTokenSource(TestClock.Patience);
        try
        {
            while (true)
            {
                // An hour of fake time: the poll ends when a task comes, or when the test gives up in real time.
                var task = await Matching.PollAsync(Queue(kind), new Poller("worker", Namespace.Name, Sticky: false),
                    TimeSpan.FromHours(1), patience.Token);
                if (task is not null && await recordStarted(task) is { } started)
                {
                    return started;
                }
            }
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            throw new TimeoutException($"{what}: no {kind} task within {TestClock.Patience} of real time (clock at {Clock.GetUtcNow():O})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timers.DisposeAsync();
        await _transfers.DisposeAsync();
        Matching.Dispose();
        await _persistence.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
