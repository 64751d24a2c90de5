using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Tempora.Frontend.Http;

/// <summary>Stand-in binding of WorkflowService (see <see cref="HttpBindings"/>).</summary>
internal static class WorkflowServiceHttpBinding
{
    public static ServiceDescriptor Descriptor => Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0];

    public static void BindService(ServiceBinderBase binder, WorkflowServiceImpl service) =>
        HttpBindings.Bind(binder, Descriptor, typeof(WorkflowServiceImpl));
}
