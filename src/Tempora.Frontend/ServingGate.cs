using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace Tempora.Frontend;

/// <summary>
/// Closed until the process owns its shards and has loaded its queues. The ports listen from the start, so that a
/// standby answers its health probes (live, not ready), while every API call answers Unavailable and the gRPC health
/// service says NOT_SERVING.
/// </summary>
public sealed class ServingGate(HealthServiceImpl health)
{
    private volatile bool _open;

    public bool IsOpen => _open;

    public void Open()
    {
        _open = true;
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus(FrontendExtensions.WorkflowServiceName, HealthCheckResponse.Types.ServingStatus.Serving);
    }
}
