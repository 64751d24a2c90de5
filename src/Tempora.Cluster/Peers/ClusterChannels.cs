using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Tempora.Cluster.Peers;

/// <summary>
/// gRPC channels to the other processes of the cluster (one per address, kept open), and forwarding of a call to one
/// of them. A forwarded call carries <see cref="ForwardedHeader"/>, so the receiver serves it itself or refuses it
/// as unavailable: a request is never forwarded twice, and never in a circle while shards move.
/// </summary>
public sealed class ClusterChannels(PeerTls tls) : IDisposable
{
    public const string ForwardedHeader = "tempora-forwarded";

    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _methods = new(StringComparer.Ordinal);

    public static bool IsForwarded(ServerCallContext context) => context.RequestHeaders.Get(ForwardedHeader) is not null;

    public CallInvoker Invoker(string address) =>
        _channels.GetOrAdd(address, a => GrpcChannel.ForAddress($"{tls.Scheme}://{a}", new GrpcChannelOptions
        {
            HttpHandler = tls.Handler(),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        })).CreateCallInvoker();

    /// <summary>Options of a forwarded call: the caller's deadline and cancellation, marked as forwarded.</summary>
    public static CallOptions ForwardOptions(ServerCallContext context, CancellationToken? ct = null) => new(
        headers: [new Metadata.Entry(ForwardedHeader, "1")],
        deadline: context.Deadline == DateTime.MaxValue ? null : context.Deadline,
        cancellationToken: ct ?? context.CancellationToken);

    /// <summary>Sends a protobuf request to the process at <paramref name="address"/> under the same method name.</summary>
    public async Task<TResponse> ForwardAsync<TRequest, TResponse>(string address, string fullMethod, TRequest request, CallOptions options)
        where TRequest : class
        where TResponse : class
    {
        var method = (Method<TRequest, TResponse>)_methods.GetOrAdd(fullMethod, name => CreateMethod<TRequest, TResponse>(name));
        try
        {
            return await Invoker(address).AsyncUnaryCall(method, null, options, request);
        }
        catch (RpcException e)
        {
            // The owner's answer, as it is: status, message and Temporal's error details in the trailers.
            var trailers = new Metadata();
            foreach (var entry in e.Trailers)
            {
                if (!entry.Key.StartsWith("grpc-", StringComparison.Ordinal) || entry.Key == "grpc-status-details-bin")
                {
                    trailers.Add(entry);
                }
            }
            throw new RpcException(e.Status, trailers);
        }
    }

    private static Method<TRequest, TResponse> CreateMethod<TRequest, TResponse>(string fullMethod)
        where TRequest : class
        where TResponse : class
    {
        var slash = fullMethod.LastIndexOf('/');
        var requestParser = Parser(typeof(TRequest));
        var responseParser = Parser(typeof(TResponse));
        return new Method<TRequest, TResponse>(MethodType.Unary, fullMethod[1..slash], fullMethod[(slash + 1)..],
            Marshallers.Create<TRequest>(r => ((IMessage)r).ToByteArray(), b => (TRequest)requestParser.ParseFrom(b)),
            Marshallers.Create<TResponse>(r => ((IMessage)r).ToByteArray(), b => (TResponse)responseParser.ParseFrom(b)));
    }

    private static MessageParser Parser(Type type) =>
        (MessageParser)type.GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        _channels.Clear();
    }
}
