using Grpc.Core;
using Tempora.Cluster.Peers;
using Tempora.Core;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Cluster.Polling;

/// <summary>
/// A poll on a cluster. Tasks wait in the matching of the process that owns their run's shard, and a worker's poll
/// reaches one process, so the poll waits here and, forwarded, at every other live process at once: the first task
/// wins and the other polls are called off. A forwarded poll is called off by its id (<see cref="ForwardedPolls"/>),
/// never by cancelling its call, so its answer always comes back; one that had a task started just then hands it to
/// the next poll of the same queue here (<see cref="PollHandoff"/>) instead of leaving it to time out. A forwarded
/// poll, or one on a single process, waits here only.
/// </summary>
public sealed class PollFanOut(IShardOwnership ownership, ClusterChannels channels, PollHandoff handoff, ForwardedPolls forwarded)
{
    /// <summary>The id a forwarded poll carries, by which its sender calls it off.</summary>
    public const string PollIdHeader = "tempora-poll-id";

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
        if (ClusterChannels.IsForwarded(context))
        {
            if (RequestHeader.Value(context, PollIdHeader) is not { Length: > 0 } pollId)
            {
                return await here(ct);
            }
            using var tracked = forwarded.Track(pollId, ct);
            return await here(tracked.Token);
        }
        if (peers.Count == 0)
        {
            return await here(ct);
        }
        var id = Guid.NewGuid().ToString("N");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var local = here(stop.Token);
        var pending = new List<Task<TResponse?>> { local };
        var atPeers = new List<(string Peer, Task<TResponse?> Poll)>();
        foreach (var peer in peers)
        {
            // Only the worker's own cancellation ends the peer's call; otherwise it is called off by id below.
            var poll = PollPeerAsync<TRequest, TResponse>(peer, id, request, context, ct);
            atPeers.Add((peer, poll));
            pending.Add(poll);
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
        foreach (var (peer, poll) in atPeers)
        {
            if (!poll.IsCompleted)
            {
                _ = CallOffAsync(peer, id);
            }
        }
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
    private async Task<TResponse?> PollPeerAsync<TRequest, TResponse>(string peer, string pollId, TRequest request, ServerCallContext context,
        CancellationToken ct)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            var options = ClusterChannels.ForwardOptions(context, ct);
            options.Headers!.Add(PollIdHeader, pollId);
            var response = await channels.ForwardAsync<TRequest, TResponse>(peer, context.Method, request, options);
            return response switch
            {
                PollWorkflowTaskQueueResponse w when w.TaskToken.IsEmpty => null,
                PollActivityTaskQueueResponse a when a.TaskToken.IsEmpty => null,
                PollNexusTaskQueueResponse n when n.TaskToken.IsEmpty => null,
                _ => response,
            };
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>Tells <paramref name="peer"/> to stop the poll <paramref name="pollId"/> waiting there; its answer still comes back.</summary>
    private async Task CallOffAsync(string peer, string pollId)
    {
        try
        {
            await channels.Invoker(peer).AsyncUnaryCall(
                Internal.ClusterMethods.CallOffPoll, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), Internal.ClusterMethods.Encode(pollId));
        }
        catch (RpcException)
        {
            // The peer is gone (its poll ended with it) or slow: the poll still ends at its deadline, and its task, if
            // any, comes back here for the next poll.
        }
    }
}
