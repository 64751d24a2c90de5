using Microsoft.Extensions.Logging;
using Tempora.Persistence;

namespace Tempora.History.Queues;

/// <summary>
/// Processes transfer tasks: work a run's transition asks of another run. A task is handed to history as soon as its
/// transaction commits, and a shard's pending ones when the shard arrives; the final transition deletes the row. A
/// task whose processing fails is retried a second later, so it is done eventually (also after a restart).
/// </summary>
public sealed partial class TransferQueue(TimeProvider time, ILogger<TransferQueue> logger) : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int MaxConcurrentTasks = 32;

    /// <summary>Tasks by when they may run: at once when added, a second on after a failure; then by task id.</summary>
    private readonly PriorityQueue<TransferTaskRecord, (DateTimeOffset ReadyAt, long TaskId)> _queue = new();

    /// <summary>Ids of the tasks queued now: a shard's tasks are loaded while the shard already takes new ones, so a
    /// task committed in between is offered twice and must be queued once.</summary>
    private readonly HashSet<long> _queued = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _concurrency = new(MaxConcurrentTasks);
    private readonly CancellationTokenSource _stop = new();
    private Func<TransferTaskRecord, CancellationToken, Task>? _handler;
    private Task? _loop;

    public void Start(Func<TransferTaskRecord, CancellationToken, Task> handler)
    {
        _handler = handler;
        _loop = Task.Run(RunAsync);
    }

    public void Add(IEnumerable<TransferTaskRecord> tasks) => Add(tasks, time.GetUtcNow());

    private void Add(IEnumerable<TransferTaskRecord> tasks, DateTimeOffset readyAt)
    {
        var added = false;
        lock (_lock)
        {
            foreach (var task in tasks)
            {
                if (_queued.Add(task.TaskId))
                {
                    _queue.Enqueue(task, (readyAt, task.TaskId));
                    added = true;
                }
            }
        }
        if (added)
        {
            _wake.Release();
        }
    }

    /// <summary>Drops the queued tasks that match (their shard moved to another process, which loads them itself).</summary>
    public void RemoveWhere(Func<TransferTaskRecord, bool> match)
    {
        lock (_lock)
        {
            var keep = new List<(TransferTaskRecord, (DateTimeOffset, long))>();
            while (_queue.TryDequeue(out var task, out var priority))
            {
                if (!match(task))
                {
                    keep.Add((task, priority));
                }
                else
                {
                    _queued.Remove(task.TaskId);
                }
            }
            _queue.EnqueueRange(keep);
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            List<TransferTaskRecord> ready = [];
            lock (_lock)
            {
                var now = time.GetUtcNow();
                while (_queue.TryPeek(out var next, out var at) && at.ReadyAt <= now)
                {
                    ready.Add(_queue.Dequeue());
                    _queued.Remove(next.TaskId);
                }
                wait = _queue.TryPeek(out _, out var first) ? first.ReadyAt - now : Timeout.InfiniteTimeSpan;
            }
            foreach (var task in ready)
            {
                await _concurrency.WaitAsync(ct);
                _ = ProcessAsync(task, ct);
            }
            if (ready.Count > 0)
            {
                continue;
            }
            try
            {
                // Only retries wait (a second at most); an idle queue sleeps until an Add wakes it.
                await _wake.WaitAsync(TimerQueue.UntilNextCheck(wait), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ProcessAsync(TransferTaskRecord task, CancellationToken ct)
    {
        try
        {
            await _handler!(task, ct);
        }
        catch (ShardOwnershipLostException)
        {
            // The shard moved to another process, which loaded this task with it: nothing to retry here.
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogTransferFailed(logger, e, task.TaskId, task.Key.NamespaceId, task.Key.WorkflowId, task.Key.RunId);
            Add([task], time.GetUtcNow() + RetryDelay);
        }
        catch (OperationCanceledException)
        {
            // shutting down; the row stays and is processed after the next start
        }
        finally
        {
            _concurrency.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Transfer task {TaskId} of {WorkflowId}/{RunId} in namespace {NamespaceId} failed; retrying")]
    private static partial void LogTransferFailed(ILogger logger, Exception e, long taskId, string namespaceId, string workflowId, string runId);
}
