using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace Tempora.Frontend;

/// <summary>
/// Closed until the process has joined the cluster (or, alone, owns every shard) and loaded its shards' timers and
/// tasks. The ports listen from the start, so that a starting process answers its health probes (live, not ready),
/// while every API call answers Unavailable and the gRPC health service says NOT_SERVING.
/// </summary>
public sealed class ServingGate(HealthServiceImpl health)
{
    private volatile bool _open;

    public bool IsOpen => _open;

    public void Open()
    {
        _open = true;
        foreach (var name in FrontendExtensions.HealthServiceNames)
        {
            health.SetStatus(name, HealthCheckResponse.Types.ServingStatus.Serving);
        }
    }
}
