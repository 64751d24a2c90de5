using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Tempora.Frontend.Http;

namespace Tempora.Frontend.Validation;

/// <summary>
/// Runs <see cref="RequestValues.Check"/> on every request of an implemented RPC, whether it came over gRPC or the
/// HTTP API (whose calls reach the handlers through the interceptors but not through <see cref="ServiceBinder{TService}"/>'s
/// invoker). Innermost, as the check used to be: after forwarding (the owner checks), inside the error mapping. An RPC
/// Tempora does not implement still answers Unimplemented, whatever its values.
/// </summary>
internal sealed class RequestValuesInterceptor : Interceptor
{
    private static readonly HashSet<string> Implemented =
    [
        .. HttpBindings.Implemented(WorkflowServiceHttpBinding.Descriptor, typeof(WorkflowServiceImpl))
            .Concat(HttpBindings.Implemented(OperatorServiceHttpBinding.Descriptor, typeof(OperatorServiceImpl)))
            .Select(m => $"/{m.Service.FullName}/{m.Name}"),
    ];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && Implemented.Contains(context.Method))
        {
            RequestValues.Check(message);
        }
        return continuation(request, context);
    }
}
