using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Tempora.Frontend.Validation;

namespace Tempora.Frontend;

/// <summary>
/// Binds a gRPC service described by a protobuf service descriptor (shipped in the Temporalio package, which has
/// messages but no server stubs) to a handler class: every method of the descriptor is registered; a handler method
/// with the RPC's name and signature <c>Task&lt;TResponse&gt; Name(TRequest, ServerCallContext)</c> serves it, and a
/// method without one answers Unimplemented naming the method (or saying why, <see cref="UnimplementedReasons"/>).
/// </summary>
internal sealed class ServiceBinder<TService>(ServiceDescriptor descriptor) : IServiceMethodProvider<TService> where TService : class
{
    private static readonly MethodInfo AddMethodDefinition =
        typeof(ServiceBinder<TService>).GetMethod(nameof(AddMethod), BindingFlags.NonPublic | BindingFlags.Static)!;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        foreach (var method in descriptor.Methods)
        {
            AddMethodDefinition.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType)
                .Invoke(null, [context, descriptor.FullName, method]);
        }
    }

    /// <summary>Names of the RPCs the handler implements (the rest answer Unimplemented).</summary>
    public IReadOnlyList<string> ImplementedMethods() =>
        descriptor.Methods.Where(m => Handler(m) is not null).Select(m => m.Name).ToList();

    private static MethodInfo? Handler(MethodDescriptor method) => typeof(TService).GetMethod(method.Name,
        BindingFlags.Public | BindingFlags.Instance, [method.InputType.ClrType, typeof(ServerCallContext)]);

    private static void AddMethod<TRequest, TResponse>(ServiceMethodProviderContext<TService> context, string serviceName, MethodDescriptor method)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var requestParser = new MessageParser<TRequest>(() => new TRequest());
        var responseParser = new MessageParser<TResponse>(() => new TResponse());
        var grpcMethod = new Method<TRequest, TResponse>(MethodType.Unary, serviceName, method.Name,
            Marshallers.Create(r => r.ToByteArray(), bytes => MalformedRequests.Parse(requestParser, bytes)),
            Marshallers.Create(r => r.ToByteArray(), responseParser.ParseFrom));
        UnaryServerMethod<TService, TRequest, TResponse> invoker;
        if (Handler(method) is { } handler)
        {
            // Its values are checked by RequestValuesInterceptor, which HTTP API calls pass through too.
            invoker = handler.CreateDelegate<UnaryServerMethod<TService, TRequest, TResponse>>();
        }
        else
        {
            var message = UnimplementedReasons.MessageFor(method.FullName, serviceName, method.Name);
            invoker = (_, _, _) => throw new RpcException(new Status(StatusCode.Unimplemented, message));
        }
        context.AddUnaryMethod(grpcMethod, [], invoker);
    }
}
