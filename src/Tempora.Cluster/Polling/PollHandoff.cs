using System.Collections.Concurrent;
using Tempora.Core;

namespace Tempora.Cluster.Polling;

/// <summary>
/// Poll answers that arrived after their poll had been answered by another process of the cluster (the task had
/// been recorded as started just as the poll was called off). The next poll of the same queue here takes one, so the
/// task runs now instead of waiting for its start-to-close timeout; one nobody takes within <see cref="KeepFor"/>
/// is dropped and times out as a lost task would.
/// </summary>
public sealed class PollHandoff(TimeProvider time)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<TaskQueueKey, ConcurrentQueue<(DateTimeOffset At, object Response)>> _ready = new();

    public async Task KeepLateAsync<TResponse>(TaskQueueKey queue, Task<TResponse?> late)
        where TResponse : class
    {
        try
        {
            if (await late is { } response)
            {
                _ready.GetOrAdd(queue, _ => new()).Enqueue((time.GetUtcNow(), response));
            }
        }
        catch (Exception)
        {
            // a called-off poll that failed handed nothing out
        }
    }

    public TResponse? TryTake<TResponse>(TaskQueueKey queue)
        where TResponse : class
    {
        if (!_ready.TryGetValue(queue, out var waiting))
        {
            return null;
        }
        while (waiting.TryDequeue(out var entry))
        {
            if (time.GetUtcNow() - entry.At <= KeepFor && entry.Response is TResponse response)
            {
                return response;
            }
        }
        return null;
    }
}
