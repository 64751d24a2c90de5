using Grpc.AspNetCore.Server.Model;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tempora.Core.Metrics;
using Tempora.Cluster.Forwarding;
using Tempora.Cluster.Internal;
using Tempora.Cluster.Peers;
using Tempora.Core.Loopback;
using Tempora.Frontend.Authorization;
using Microsoft.Extensions.Logging;

namespace Tempora.Frontend;

public static class FrontendExtensions
{
    /// <summary>Service name the Java SDK checks before anything else (temporal-compat.md §1.1).</summary>
    public const string WorkflowServiceName = "temporal.api.workflowservice.v1.WorkflowService";

    /// <summary>The other service Temporal's frontend reports in the gRPC health service.</summary>
    public const string OperatorServiceName = "temporal.api.operatorservice.v1.OperatorService";

    /// <summary>The names the gRPC health service answers for: the server as a whole, and each service it serves.</summary>
    internal static readonly string[] HealthServiceNames = ["", WorkflowServiceName, OperatorServiceName];

    public static IServiceCollection AddFrontend(this IServiceCollection services, MessageSizeLimits? messageSizeLimits = null,
        AuthorizationSettings? authorization = null)
    {
        authorization ??= new AuthorizationSettings();
        // Requests over the limit are refused by MessageSizeLimit first, in grpc-go's words; Grpc.AspNetCore's own
        // limit stays as a backstop. Responses are not limited (a history page may pass 4 MiB), as in Temporal.
        var limits = messageSizeLimits ?? new MessageSizeLimits(MessageSizeLimits.DefaultPublic, 32 * 1024 * 1024);
        services.AddSingleton(limits);
        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = limits.Public;
            options.MaxSendMessageSize = null;
            options.CompressionProviders = [new BoundedGzipCompression(limits.Public)];
            // First of all, on every service: only a replica may forward a request or call the cluster service.
            options.Interceptors.Add<PeerTrustInterceptor>();
            // Outermost first: metrics see the status ErrorInterceptor maps a domain exception to.
            options.Interceptors.Add<MetricsInterceptor>();
            options.Interceptors.Add<ErrorInterceptor>();
            if (authorization.Enabled)
            {
                // Inside the error mapping and the metrics, before anything runs or is forwarded.
                options.Interceptors.Add<AuthorizationInterceptor>();
            }
            // Inside the error mapping (its refusal is an InvalidArgumentException), before any forwarding.
            options.Interceptors.Add<Validation.StorableStringsInterceptor>();
            // Inside the error mapping, so that a request refused while its shard moves answers Unavailable.
            options.Interceptors.Add<ShardRoutingInterceptor>();
            // Innermost: the owner checks a request's values just before its handler (RequestValues).
            options.Interceptors.Add<Validation.RequestValuesInterceptor>();
        }).AddServiceOptions<ClusterService>(options =>
        {
            options.MaxReceiveMessageSize = limits.Cluster;
            options.CompressionProviders = [new BoundedGzipCompression(limits.Cluster)];
        }).AddJsonTranscoding(Http.HttpApiJson.Configure);
        services.PostConfigure<Microsoft.AspNetCore.Grpc.JsonTranscoding.GrpcJsonTranscodingOptions>(Http.HttpApiJson.PostConfigure);
        services.TryAddSingleton(Http.HttpApiSettings.Off);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Routing.MatcherPolicy, Http.HttpApiPortPolicy>());
        services.AddAuthorization(authorization);
        services.TryAddSingleton(StoreNames.Sqlite);
        services.AddSingleton<WorkerPolls>();
        // Stateless: registered, they are made once, instead of once per call each (Grpc.AspNetCore's default).
        services.AddSingleton<PeerTrustInterceptor>();
        services.AddSingleton<MetricsInterceptor>();
        services.AddSingleton<ErrorInterceptor>();
        services.AddSingleton<Validation.StorableStringsInterceptor>();
        services.AddSingleton<ShardRoutingInterceptor>();
        services.AddSingleton<Validation.RequestValuesInterceptor>();
        services.TryAddSingleton<IMetrics>(NullMetrics.Instance);
        services.AddSingleton<WorkflowServiceImpl>();
        services.AddSingleton<OperatorServiceImpl>();
        services.AddSingleton<IServiceMethodProvider<WorkflowServiceImpl>>(
            new ServiceBinder<WorkflowServiceImpl>(Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0]));
        services.AddSingleton<IServiceMethodProvider<OperatorServiceImpl>>(
            new ServiceBinder<OperatorServiceImpl>(Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0]));
        var health = new HealthServiceImpl();
        foreach (var name in HealthServiceNames)
        {
            health.SetStatus(name, HealthCheckResponse.Types.ServingStatus.NotServing);
        }
        services.AddSingleton(health);
        services.AddSingleton(new ServingGate(health));
        return services;
    }

    private static void AddAuthorization(this IServiceCollection services, AuthorizationSettings settings)
    {
        services.AddSingleton(settings);
        services.TryAddSingleton<InternalCaller>();
        if (settings.UsesDefaultClaimMapper)
        {
            services.AddSingleton(sp => new JwksKeyProvider(settings.KeySourceUris, settings.KeyRefreshInterval,
                sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<JwksKeyProvider>>()));
            services.AddHostedService(sp => sp.GetRequiredService<JwksKeyProvider>());
            services.AddSingleton<JwtClaimMapper>();
        }
        if (settings.Enabled)
        {
            services.AddSingleton(sp => new AuthorizationInterceptor(settings, sp.GetRequiredService<InternalCaller>(),
                settings.UsesDefaultClaimMapper ? sp.GetRequiredService<JwtClaimMapper>() : null,
                sp.GetRequiredService<ILogger<AuthorizationInterceptor>>()));
        }
    }

    /// <summary>
    /// The frontend's middleware: the HTTP API's request rules (on its port only), then the refusal of oversize gRPC
    /// messages before the gRPC endpoints read them.
    /// </summary>
    public static IApplicationBuilder UseFrontend(this IApplicationBuilder app) =>
        app.UseMiddleware<Http.HttpApiMiddleware>().UseMiddleware<MessageSizeLimit>();

    public static IEndpointRouteBuilder MapFrontend(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<WorkflowServiceImpl>();
        endpoints.MapGrpcService<OperatorServiceImpl>();
        endpoints.MapGrpcService<HealthServiceImpl>();
        Http.UnimplementedRoutes.Map(endpoints, Http.WorkflowServiceHttpBinding.Descriptor, typeof(WorkflowServiceImpl));
        Http.UnimplementedRoutes.Map(endpoints, Http.OperatorServiceHttpBinding.Descriptor, typeof(OperatorServiceImpl));
        Http.HttpApiJson.Verify(endpoints.ServiceProvider
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Grpc.JsonTranscoding.GrpcJsonTranscodingOptions>>().Value);
        return endpoints;
    }
}
