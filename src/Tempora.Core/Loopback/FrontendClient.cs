using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace Tempora.Core.Loopback;

/// <summary>
/// The way of the UI and the worker role to the frontend: gRPC over a Unix domain socket in a private directory
/// (plaintext, so it needs no certificate even when the TCP port requires mTLS), as Temporal's UI server and worker
/// service go through the frontend, so that those roles can later run in processes of their own (and a call about a run whose shard
/// another replica owns is forwarded there by the frontend, as any client's). The Temporalio package ships the messages and service descriptors but no client stubs;
/// the methods are built from the descriptors. The channel opens on first use, keeping it off the start-up path.
/// </summary>
public sealed class FrontendClient : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private static readonly Dictionary<Type, (string Service, string Method)> MethodsByRequest = IndexMethods(
        Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0],
        Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0]);

    private readonly string _socketPath;
    private readonly Lazy<GrpcChannel> _channel;
    private readonly Metadata? _headers;

    /// <param name="socketPath">The Unix domain socket the frontend listens on for in-process clients.</param>
    /// <param name="headers">Sent on every call: the worker role's <see cref="InternalCaller"/> proof; none for the web UI.</param>
    public FrontendClient(string socketPath, Metadata? headers = null)
    {
        _socketPath = socketPath;
        _channel = new Lazy<GrpcChannel>(Open);
        _headers = headers;
    }

    /// <summary>Calls the unary RPC whose request type is <typeparamref name="TRequest"/> (within 15 s, or
    /// <paramref name="timeout"/> for a long poll), with <paramref name="headers"/> (the web UI's user's bearer token).</summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(TRequest request, CancellationToken ct, TimeSpan? timeout = null,
        Metadata? headers = null)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(Rpc<TRequest, TResponse>.Method, null,
            new CallOptions(Merge(_headers, headers), deadline: DateTime.UtcNow + (timeout ?? CallTimeout), cancellationToken: ct), request);
        return await call.ResponseAsync;
    }

    /// <summary>This client's own headers (the system caller's proof) and the call's (a user's token), together.</summary>
    private static Metadata? Merge(Metadata? own, Metadata? call)
    {
        if (own is null || call is null)
        {
            return own ?? call;
        }
        var both = new Metadata();
        foreach (var entry in own.Concat(call))
        {
            both.Add(entry);
        }
        return both;
    }

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }

    private GrpcChannel Open() => GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        },
        DisposeHttpClient = true,
        // Histories are read a page at a time, but one page of large payloads can pass gRPC's 4 MB default.
        MaxReceiveMessageSize = 128 * 1024 * 1024,
    });

    private static Dictionary<Type, (string, string)> IndexMethods(params ServiceDescriptor[] services)
    {
        var methods = new Dictionary<Type, (string, string)>();
        foreach (var service in services)
        {
            foreach (var method in service.Methods)
            {
                methods.TryAdd(method.InputType.ClrType, (service.FullName, method.Name));
            }
        }
        return methods;
    }

    private static class Rpc<TRequest, TResponse>
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        public static readonly Method<TRequest, TResponse> Method = Create();

        private static Method<TRequest, TResponse> Create()
        {
            if (!MethodsByRequest.TryGetValue(typeof(TRequest), out var name))
            {
                throw new InvalidOperationException($"No RPC of the workflow or operator service takes {typeof(TRequest).Name}.");
            }
            var requestParser = new MessageParser<TRequest>(() => new TRequest());
            var responseParser = new MessageParser<TResponse>(() => new TResponse());
            return new Method<TRequest, TResponse>(MethodType.Unary, name.Service, name.Method,
                Marshallers.Create(m => m.ToByteArray(), requestParser.ParseFrom),
                Marshallers.Create(m => m.ToByteArray(), responseParser.ParseFrom));
        }
    }
}
