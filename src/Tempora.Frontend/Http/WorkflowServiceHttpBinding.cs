using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Tempora.Frontend.Http;

/// <summary>
/// SPIKE (issue 23). What Microsoft.AspNetCore.Grpc.JsonTranscoding looks for on a service: a static
/// <c>BindService(ServiceBinderBase, TService)</c> named by <see cref="BindServiceMethodAttribute"/>, and a static
/// <c>Descriptor</c> on the same type whose methods carry the <c>google.api.http</c> options (Temporalio's own copy of
/// HttpRule; the library re-reads it by field number). The Temporalio package ships no generated stubs, so this stands
/// in for one. The library finds each handler itself by reflection and only accepts a virtual method declared on
/// <c>TService</c>; the handler passed here is never called, so none is given.
/// </summary>
internal static class WorkflowServiceHttpBinding
{
    private static readonly MethodInfo AddDefinition =
        typeof(WorkflowServiceHttpBinding).GetMethod(nameof(Add), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static ServiceDescriptor Descriptor => Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0];

    public static void BindService(ServiceBinderBase binder, WorkflowServiceImpl service)
    {
        foreach (var method in Descriptor.Methods.Where(m => !m.IsClientStreaming && !m.IsServerStreaming))
        {
            var handler = typeof(WorkflowServiceImpl).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance,
                [method.InputType.ClrType, typeof(ServerCallContext)]);
            // Only virtual handlers are reachable by the library (see the summary); the spike marks a few.
            if (handler is { IsVirtual: true })
            {
                AddDefinition.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType)
                    .Invoke(null, [binder, Descriptor.FullName, method.Name]);
            }
        }
    }

    private static void Add<TRequest, TResponse>(ServiceBinderBase binder, string serviceName, string methodName)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var requestParser = new MessageParser<TRequest>(() => new TRequest());
        var responseParser = new MessageParser<TResponse>(() => new TResponse());
        var method = new Method<TRequest, TResponse>(MethodType.Unary, serviceName, methodName,
            Marshallers.Create(r => r.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), responseParser.ParseFrom));
        binder.AddMethod(method, (UnaryServerMethod<TRequest, TResponse>?)null);
    }
}
