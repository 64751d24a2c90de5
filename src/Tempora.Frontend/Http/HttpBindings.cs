using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Tempora.Frontend.Http;

/// <summary>
/// What Microsoft.AspNetCore.Grpc.JsonTranscoding looks for on a service: a static
/// <c>BindService(ServiceBinderBase, TService)</c> named by <see cref="BindServiceMethodAttribute"/>, and a static
/// <c>Descriptor</c> on the same type whose methods carry the <c>google.api.http</c> options (Temporalio's own copy of
/// HttpRule; the library re-reads it by field number). The Temporalio package ships no generated stubs, so these stand
/// in for them. The library finds each handler itself by reflection and accepts only a virtual method declared on the
/// service type, so every handler is virtual; an RPC without one gets its routes from <see cref="UnimplementedRoutes"/>.
/// </summary>
internal static class HttpBindings
{
    private static readonly MethodInfo AddDefinition =
        typeof(HttpBindings).GetMethod(nameof(Add), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The unary methods of <paramref name="descriptor"/> that <paramref name="serviceType"/> serves.</summary>
    public static IEnumerable<MethodDescriptor> Implemented(ServiceDescriptor descriptor, Type serviceType) =>
        descriptor.Methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming && Handler(serviceType, m) is not null);

    public static IEnumerable<MethodDescriptor> Unimplemented(ServiceDescriptor descriptor, Type serviceType) =>
        descriptor.Methods.Except(Implemented(descriptor, serviceType));

    public static void Bind(ServiceBinderBase binder, ServiceDescriptor descriptor, Type serviceType)
    {
        // Grpc.AspNetCore's own provider calls this too (the attribute is how it finds services); its gRPC endpoints
        // come from ServiceBinder, with Tempora's marshallers and Unimplemented answers, so only transcoding is served.
        if (!binder.GetType().Name.StartsWith("JsonTranscoding", StringComparison.Ordinal))
        {
            return;
        }
        // A handler that is not virtual would serve gRPC but have no HTTP route at all: refuse to start instead.
        if (Implemented(descriptor, serviceType).FirstOrDefault(m => Handler(serviceType, m) is { IsVirtual: false }) is { } sealedHandler)
        {
            throw new InvalidOperationException(
                $"{serviceType.Name}.{sealedHandler.Name} must be declared virtual: the HTTP API's JSON transcoding binds virtual handlers only.");
        }
        foreach (var method in Implemented(descriptor, serviceType))
        {
            AddDefinition.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType)
                .Invoke(null, [binder, descriptor.FullName, method.Name]);
        }
    }

    private static MethodInfo? Handler(Type serviceType, MethodDescriptor method) => serviceType.GetMethod(method.Name,
        BindingFlags.Public | BindingFlags.Instance, [method.InputType.ClrType, typeof(ServerCallContext)]);

    private static void Add<TRequest, TResponse>(ServiceBinderBase binder, string serviceName, string methodName)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var requestParser = new MessageParser<TRequest>(() => new TRequest());
        var responseParser = new MessageParser<TResponse>(() => new TResponse());
        var method = new Method<TRequest, TResponse>(MethodType.Unary, serviceName, methodName,
            Marshallers.Create(r => r.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), responseParser.ParseFrom));
        // The handler given here is never called: the library binds the virtual method of the same name itself.
        binder.AddMethod(method, (UnaryServerMethod<TRequest, TResponse>?)null);
    }
}
