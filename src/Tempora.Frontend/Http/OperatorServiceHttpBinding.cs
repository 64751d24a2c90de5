using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Tempora.Frontend.Http;

/// <summary>Stand-in binding of OperatorService (see <see cref="HttpBindings"/>).</summary>
internal static class OperatorServiceHttpBinding
{
    public static ServiceDescriptor Descriptor => Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0];

    public static void BindService(ServiceBinderBase binder, OperatorServiceImpl service) =>
        HttpBindings.Bind(binder, Descriptor, typeof(OperatorServiceImpl));
}
