using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Tempora.Cluster.Peers;

/// <summary>
/// gRPC channels to the other processes of the cluster (one per address, kept open), and forwarding of a call to one
/// of them. A forwarded call carries <see cref="ForwardedHeader"/>, so the receiver serves it itself or refuses it
/// as unavailable: a request is never forwarded twice, and never in a circle while shards move. Every call carries
/// the cluster secret, when there is one, so that the receiver knows a replica sent it (<see cref="PeerAuthentication"/>).
/// </summary>
public sealed class ClusterChannels(ClusterSecret secret, PeerTls tls) : IDisposable
{
    public const string ForwardedHeader = "tempora-forwarded";

    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _methods = new(StringComparer.Ordinal);

    /// <summary>Whether a replica forwarded this call here: it carries the marker and its sender proved to be a replica
    /// (a marker from anyone else was refused before the call got this far).</summary>
    public static bool IsForwarded(ServerCallContext context) =>
        RequestHeader.Value(context, ForwardedHeader) is not null && PeerAuthentication.IsProvenReplica(context);

    public CallInvoker Invoker(string address)
    {
        var invoker = _channels.GetOrAdd(address, a => GrpcChannel.ForAddress($"{tls.Scheme}://{a}", new GrpcChannelOptions
        {
            HttpHandler = tls.Handler(),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        })).CreateCallInvoker();
        return secret.Value is { } value ? invoker.Intercept(headers => WithSecret(headers, value)) : invoker;
    }

    private static Metadata WithSecret(Metadata headers, string value)
    {
        headers.Add(ClusterSecret.Header, value);
        return headers;
    }

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
