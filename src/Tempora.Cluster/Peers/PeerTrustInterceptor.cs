using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Tempora.Cluster.Peers;

/// <summary>
/// The first interceptor of every gRPC service: a call marked as forwarded, or to the cluster service, goes no further
/// unless a replica made it (<see cref="PeerAuthentication"/>). Being first, nothing runs for a refused call —
/// neither routing nor authorization, which trusts a forwarded call because it was authorized where it entered.
/// </summary>
public sealed class PeerTrustInterceptor(PeerAuthentication peers) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        peers.Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        peers.Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        peers.Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        peers.Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }
}
