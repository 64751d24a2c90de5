using Grpc.Core;
using Tempora.Core;

namespace Tempora.Cluster.Peers;

/// <summary>
/// Requests that concern what every process of the cluster holds (a worker's sticky queue, a task queue's backlog and
/// pollers): the same call, forwarded to each peer at once. A call that was itself forwarded reaches no further.
/// </summary>
public sealed class PeerCalls(IShardOwnership ownership, ClusterChannels channels)
{
    /// <summary>
    /// The peers' answers to <paramref name="request"/> under the same method; a peer that is gone or busy is left
    /// out. None when the call was forwarded here or the process has no peers.
    /// </summary>
    public async Task<IReadOnlyList<TResponse>> AskPeersAsync<TRequest, TResponse>(TRequest request, ServerCallContext context)
        where TRequest : class
        where TResponse : class
    {
        if (ClusterChannels.IsForwarded(context))
        {
            return [];
        }
        var answers = await Task.WhenAll(ownership.Peers.Select(async peer =>
        {
            try
            {
                return await channels.ForwardAsync<TRequest, TResponse>(peer, context.Method, request, ClusterChannels.ForwardOptions(context));
            }
            catch (RpcException)
            {
                return null;
            }
        }));
        return [.. answers.OfType<TResponse>()];
    }
}
