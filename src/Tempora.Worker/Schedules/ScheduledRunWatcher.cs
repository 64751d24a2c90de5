using System.Collections.Concurrent;
using Grpc.Core;
using Tempora.Core.Loopback;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// Waits for the workflows a schedule started to close (a long poll for the close event through the frontend, which
/// reaches the run wherever its shard is served), and wakes the schedule when one does: the overlap policy, pause on
/// failure and the next run's last result all depend on it. Temporal's scheduler watches its workflows the same way.
/// </summary>
internal sealed class ScheduledRunWatcher(FrontendClient frontend, Action<ScheduleKey> closed) : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(70);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(ScheduleKey Schedule, string WorkflowId), Task> _watches = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Watches the current run of <paramref name="workflowId"/> unless it is watched already.</summary>
    public void Watch(ScheduleKey schedule, string namespaceName, string workflowId)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        var key = (schedule, workflowId);
        if (_watches.ContainsKey(key))
        {
            return;
        }
        var started = new TaskCompletionSource();
        if (_watches.TryAdd(key, started.Task))
        {
            _ = WatchAsync(key, namespaceName, started);
        }
    }

    /// <summary>Stops watching for the schedules that match (their shard left this process).</summary>
    public void Forget(Func<ScheduleKey, bool> match)
    {
        foreach (var key in _watches.Keys.Where(k => match(k.Schedule)))
        {
            _watches.TryRemove(key, out _);
        }
    }

    private async Task WatchAsync((ScheduleKey Schedule, string WorkflowId) key, string namespaceName, TaskCompletionSource done)
    {
        try
        {
            while (!_stop.IsCancellationRequested && _watches.ContainsKey(key))
            {
                try
                {
                    var response = await frontend.CallAsync<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>(new()
                    {
                        Namespace = namespaceName,
                        Execution = new WorkflowExecution { WorkflowId = key.WorkflowId },
                        WaitNewEvent = true,
                        HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
                        SkipArchival = true,
                    }, _stop.Token, PollTimeout);
                    if (response.History?.Events.Count > 0)
                    {
                        break;
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    break; // gone (deleted): the schedule finds out when it looks
                }
                catch (RpcException) when (!_stop.IsCancellationRequested)
                {
                    await Task.Delay(RetryDelay, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _watches.TryRemove(key, out _);
            done.TrySetResult();
        }
        closed(key.Schedule);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_watches.Values);
        _stop.Dispose();
    }
}
