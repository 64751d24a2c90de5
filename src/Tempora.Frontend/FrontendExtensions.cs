using Grpc.AspNetCore.Server.Model;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tempora.Core;
using Tempora.Core.Metrics;
using Tempora.Frontend.Cluster;

namespace Tempora.Frontend;

public static class FrontendExtensions
{
    /// <summary>Service name the Java SDK checks before anything else (temporal-compat.md §1.1).</summary>
    public const string WorkflowServiceName = "temporal.api.workflowservice.v1.WorkflowService";

    public static IServiceCollection AddFrontend(this IServiceCollection services)
    {
        services.AddGrpc(options =>
        {
            // Temporal enforces payload limits itself (2 MiB per blob) and answers InvalidArgument; the transport
            // limit only has to be above anything a valid request can carry.
            options.MaxReceiveMessageSize = 128 * 1024 * 1024;
            options.MaxSendMessageSize = null;
            // Outermost first: metrics see the status ErrorInterceptor maps a domain exception to.
            options.Interceptors.Add<MetricsInterceptor>();
            options.Interceptors.Add<ErrorInterceptor>();
            // Inside the error mapping (its refusal is an InvalidArgumentException), before any forwarding.
            options.Interceptors.Add<Validation.StorableStringsInterceptor>();
            // Inside the error mapping, so that a request refused while its shard moves answers Unavailable.
            options.Interceptors.Add<ShardRoutingInterceptor>();
        });
        services.TryAddSingleton<IShardOwnership>(new SingleProcessShards(1));
        services.TryAddSingleton(StoreNames.Sqlite);
        services.AddSingleton<ClusterChannels>();
        services.AddSingleton<PollHandoff>();
        services.AddSingleton<WorkerPolls>();
        services.AddSingleton<ClusterService>();
        services.AddSingleton<IServiceMethodProvider<ClusterService>>(new ClusterServiceBinder());
        services.TryAddSingleton<IMetrics>(NullMetrics.Instance);
        services.AddSingleton<WorkflowServiceImpl>();
        services.AddSingleton<OperatorServiceImpl>();
        services.AddSingleton<IServiceMethodProvider<WorkflowServiceImpl>>(
            new ServiceBinder<WorkflowServiceImpl>(Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0]));
        services.AddSingleton<IServiceMethodProvider<OperatorServiceImpl>>(
            new ServiceBinder<OperatorServiceImpl>(Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0]));
        var health = new HealthServiceImpl();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        health.SetStatus(WorkflowServiceName, HealthCheckResponse.Types.ServingStatus.NotServing);
        services.AddSingleton(health);
        services.AddSingleton(new ServingGate(health));
        return services;
    }

    public static IEndpointRouteBuilder MapFrontend(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<WorkflowServiceImpl>();
        endpoints.MapGrpcService<OperatorServiceImpl>();
        endpoints.MapGrpcService<HealthServiceImpl>();
        endpoints.MapGrpcService<ClusterService>();
        return endpoints;
    }
}
