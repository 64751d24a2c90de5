using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Bench;

/// <summary>
/// The worker side of the raw driver, as the SDK's worker drives the server: workflow task polls on the normal and
/// the sticky queue (a fifth normal), activity polls, slots that bound how many tasks run at once (a poll waits for a
/// free slot), completions that carry sticky attributes and ask for the next workflow task back, and activities
/// requested eagerly when a slot is free. Workflow code is not replayed: <see cref="RawRunState"/> decides each
/// command from the history events.
/// </summary>
internal sealed class RawWorker
{
    /// <summary>The SDK's default sticky schedule-to-start timeout.</summary>
    private static readonly Duration StickyTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10));

    private readonly RawService _service;
    private readonly BenchOptions _o;
    private readonly SemaphoreSlim _workflowSlots;
    private readonly SemaphoreSlim _activitySlots;
    private readonly ConcurrentDictionary<string, RawRunState> _cache = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pollers = [];
    private int _errors;
    private string? _firstError;

    public RawWorker(RawService service, BenchOptions o, string taskQueue)
    {
        _service = service;
        _o = o;
        TaskQueueName = taskQueue;
        NormalQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal };
        StickyQueue = new TaskQueue { Name = $"{taskQueue}-sticky-{Guid.NewGuid():N}", Kind = TaskQueueKind.Sticky, NormalName = taskQueue };
        _workflowSlots = new SemaphoreSlim(o.MaxConcurrentWorkflowTasks, o.MaxConcurrentWorkflowTasks);
        _activitySlots = new SemaphoreSlim(o.MaxConcurrentActivities, o.MaxConcurrentActivities);
    }

    public static string Identity { get; } = $"{Environment.ProcessId}@{Environment.MachineName} tempora-bench --raw";

    public string TaskQueueName { get; }

    public TaskQueue NormalQueue { get; }

    public TaskQueue StickyQueue { get; }

    /// <summary>Workflow tasks and activities that failed in the worker (a workflow's result shows it too).</summary>
    public int Errors => Volatile.Read(ref _errors);

    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>The split of the SDK's worker: a fifth of the workflow pollers on the normal queue, the rest sticky.</summary>
    public static (int Normal, int Sticky) WorkflowPollers(int total)
    {
        var normal = Math.Max(1, (int)Math.Round(total * 0.2));
        return (normal, Math.Max(1, total - normal));
    }

    public void Start()
    {
        var (normal, sticky) = WorkflowPollers(_o.WorkflowTaskPollers);
        for (var i = 0; i < normal; i++)
        {
            _pollers.Add(PollWorkflowTasksAsync(NormalQueue));
        }
        for (var i = 0; i < sticky; i++)
        {
            _pollers.Add(PollWorkflowTasksAsync(StickyQueue));
        }
        for (var i = 0; i < _o.ActivityTaskPollers; i++)
        {
            _pollers.Add(PollActivityTasksAsync());
        }
    }

    /// <summary>Cancels the polls and waits for the pollers to end (each poll ends at its cancellation).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_pollers);
    }

    /// <summary>A workflow task slot for an eager start, without waiting: the SDK asks for eager start only when it has one.</summary>
    public bool TryReserveWorkflowSlot() => _workflowSlots.Wait(0);

    public void ReleaseWorkflowSlot() => _workflowSlots.Release();

    /// <summary>
    /// Runs a workflow task that holds a reserved slot (polled, or returned by an eager start) and every workflow task
    /// the server hands back in a completion's response; releases the slot at the end. Never throws.
    /// </summary>
    public async Task HandleWorkflowTaskAsync(PollWorkflowTaskQueueResponse? task)
    {
        var ct = _stop.Token;
        try
        {
            while (task is not null)
            {
                var runId = task.WorkflowExecution.RunId;
                var events = await EventsAsync(task, ct);
                RawRunState? state;
                if (events.Count > 0 && events[0].EventId == 1)
                {
                    state = new RawRunState();
                    _cache[runId] = state;
                }
                else if (!_cache.TryGetValue(runId, out state))
                {
                    throw new InvalidOperationException($"a partial history for run {runId}, which is not cached");
                }
                state.Apply(events);
                var command = state.Next(TaskQueueName);

                var request = new RespondWorkflowTaskCompletedRequest
                {
                    Namespace = _o.Namespace,
                    TaskToken = task.TaskToken,
                    Identity = Identity,
                    StickyAttributes = new StickyExecutionAttributes { WorkerTaskQueue = StickyQueue, ScheduleToStartTimeout = StickyTimeout },
                    ReturnNewWorkflowTask = true,
                };
                var eagerSlot = false;
                if (command is not null)
                {
                    if (command.ScheduleActivityTaskCommandAttributes is { } schedule)
                    {
                        // The SDK asks for the activity eagerly when it can reserve a slot for it.
                        eagerSlot = _activitySlots.Wait(0);
                        schedule.RequestEagerExecution = eagerSlot;
                    }
                    request.Commands.Add(command);
                }
                RespondWorkflowTaskCompletedResponse response;
                try
                {
                    response = await _service.RespondWorkflowTaskCompletedAsync(request, ct);
                }
                catch
                {
                    if (eagerSlot)
                    {
                        _activitySlots.Release();
                    }
                    throw;
                }
                if (command?.CompleteWorkflowExecutionCommandAttributes is not null || command?.FailWorkflowExecutionCommandAttributes is not null)
                {
                    _cache.TryRemove(runId, out _);
                }
                foreach (var activity in response.ActivityTasks)
                {
                    if (eagerSlot)
                    {
                        eagerSlot = false;
                        _ = HandleActivityTaskAsync(activity);
                    }
                    else
                    {
                        Fail(new InvalidOperationException("the server returned an activity task the worker did not ask for"));
                    }
                }
                if (eagerSlot)
                {
                    _activitySlots.Release();
                }
                task = response.WorkflowTask is { TaskToken.IsEmpty: false } next ? next : null;
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Fail(e);
        }
        catch (Exception)
        {
            // Stopping.
        }
        finally
        {
            _workflowSlots.Release();
        }
    }

    /// <summary>The no-op activity: completes with its input. Holds a reserved activity slot, releases it; never throws.</summary>
    private async Task HandleActivityTaskAsync(PollActivityTaskQueueResponse task)
    {
        var ct = _stop.Token;
        try
        {
            var request = new RespondActivityTaskCompletedRequest { Namespace = _o.Namespace, TaskToken = task.TaskToken, Identity = Identity, Result = task.Input };
            await _service.RespondActivityTaskCompletedAsync(request, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Fail(e);
        }
        catch (Exception)
        {
            // Stopping.
        }
        finally
        {
            _activitySlots.Release();
        }
    }

    private async Task PollWorkflowTasksAsync(TaskQueue queue)
    {
        var ct = _stop.Token;
        var request = new PollWorkflowTaskQueueRequest { Namespace = _o.Namespace, TaskQueue = queue, Identity = Identity };
        // Bounded: each iteration is one long poll with a deadline; the loop ends at StopAsync.
        while (await WaitSlotAsync(_workflowSlots, ct))
        {
            var task = await PollAsync(() => _service.PollWorkflowTaskQueueAsync(request, ct), ct);
            if (task is null || task.TaskToken.IsEmpty)
            {
                _workflowSlots.Release();
                continue;
            }
            _ = HandleWorkflowTaskAsync(task);
        }
    }

    private async Task PollActivityTasksAsync()
    {
        var ct = _stop.Token;
        var request = new PollActivityTaskQueueRequest { Namespace = _o.Namespace, TaskQueue = NormalQueue, Identity = Identity };
        while (await WaitSlotAsync(_activitySlots, ct))
        {
            var task = await PollAsync(() => _service.PollActivityTaskQueueAsync(request, ct), ct);
            if (task is null || task.TaskToken.IsEmpty)
            {
                _activitySlots.Release();
                continue;
            }
            _ = HandleActivityTaskAsync(task);
        }
    }

    private static async Task<bool> WaitSlotAsync(SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await slots.WaitAsync(ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One long poll; null when it ended without a task (stopping, deadline, or an error, recorded).</summary>
    private async Task<T?> PollAsync<T>(Func<Task<T>> poll, CancellationToken ct)
        where T : class
    {
        try
        {
            return await poll();
        }
        catch (Exception e)
        {
            if (ct.IsCancellationRequested || e is RpcException { StatusCode: StatusCode.DeadlineExceeded })
            {
                return null;
            }
            Fail(e);
            // Do not spin on a server that refuses every poll.
            await Task.Delay(100, CancellationToken.None);
            return null;
        }
    }

    /// <summary>The task's history events, with the further pages when the server split them.</summary>
    private async Task<List<HistoryEvent>> EventsAsync(PollWorkflowTaskQueueResponse task, CancellationToken ct)
    {
        var events = new List<HistoryEvent>(task.History?.Events ?? []);
        var token = task.NextPageToken;
        // Bounded: the server returns an empty token after the last page of a finite history.
        while (!token.IsEmpty)
        {
            var page = await _service.GetWorkflowExecutionHistoryAsync(
                new GetWorkflowExecutionHistoryRequest { Namespace = _o.Namespace, Execution = task.WorkflowExecution, NextPageToken = token }, ct);
            events.AddRange(page.History?.Events ?? []);
            token = page.NextPageToken;
        }
        return events;
    }

    private void Fail(Exception e)
    {
        Interlocked.Increment(ref _errors);
        var text = e.ToString();
        Interlocked.CompareExchange(ref _firstError, text.Length > 500 ? text[..500] : text, null);
    }
}
