using Grpc.Core;
using Tempora.Cluster.Peers;
using Tempora.Core;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Cluster.Polling;

/// <summary>
/// A poll on a cluster. Tasks wait in the matching of the process that owns their run's shard, and a worker's poll
/// reaches one process, so the poll waits here and, forwarded, at every other live process at once: the first task
/// wins and the other polls are called off. A called-off poll that had a task started just then hands it to the next
/// poll of the same queue here (<see cref="PollHandoff"/>) instead of leaving it to time out. A forwarded poll, or one
/// on a single process, waits here only.
/// </summary>
public sealed class PollFanOut(IShardOwnership ownership, ClusterChannels channels, PollHandoff handoff)
{
    /// <summary>
    /// Polls <paramref name="queue"/> here (<paramref name="here"/>, matching's poll loop) and at the peers; null when
    /// nobody had a task before the deadline. <paramref name="ct"/> ends the poll early (the caller went away, or its
    /// worker shut down).
    /// </summary>
    public async Task<TResponse?> PollAsync<TRequest, TResponse>(
        TaskQueueKey queue, TRequest request, ServerCallContext context, CancellationToken ct, Func<CancellationToken, Task<TResponse?>> here)
        where TRequest : class
        where TResponse : class
    {
        if (handoff.TryTake<TResponse>(queue) is { } ready)
        {
            return ready;
        }
        var peers = ownership.Peers;
        if (peers.Count == 0 || ClusterChannels.IsForwarded(context))
        {
            return await here(ct);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var local = here(stop.Token);
        var pending = new List<Task<TResponse?>> { local };
        foreach (var peer in peers)
        {
            pending.Add(PollPeerAsync<TRequest, TResponse>(peer, request, context, stop.Token));
        }
        TResponse? found = null;
        while (found is null && pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully)
            {
                found = done.Result;
            }
        }
        await stop.CancelAsync();
        foreach (var late in pending)
        {
            _ = handoff.KeepLateAsync(queue, late);
        }
        if (found is null && local.IsFaulted)
        {
            await local; // this process's own failure (the database is down, say) is the caller's answer
        }
        return found;
    }

    /// <summary>The same poll at a peer; null when it found nothing, was called off, or the peer is unreachable.</summary>
    private async Task<TResponse?> PollPeerAsync<TRequest, TResponse>(string peer, TRequest request, ServerCallContext context, CancellationToken ct)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            var response = await channels.ForwardAsync<TRequest, TResponse>(peer, context.Method, request, ClusterChannels.ForwardOptions(context, ct));
            return response switch
            {
                PollWorkflowTaskQueueResponse w when w.TaskToken.IsEmpty => null,
                PollActivityTaskQueueResponse a when a.TaskToken.IsEmpty => null,
                _ => response,
            };
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
