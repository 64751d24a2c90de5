using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Matching.Versioning;
using Tempora.Persistence.Deployments;

namespace Tempora.Matching.Tests.Versioning;

/// <summary>Routing from a snapshot the test sets, through the same view the cache builds.</summary>
internal sealed class StaticRouting : IDeploymentRouting
{
    private DeploymentRoutingView _view = DeploymentRoutingView.Empty;

    public void Set(params DeploymentRouting[] deployments) => _view = DeploymentRoutingView.Build(new DeploymentRoutingSnapshot(deployments));

    public TaskQueueRouting For(string namespaceId, string taskQueue, TaskKind kind) => _view.For(namespaceId, taskQueue, kind);

    public bool IsRegistered(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind) =>
        _view.IsRegistered(namespaceId, version, taskQueue, kind);

    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Deployment "orders" in namespace "ns-id" with builds b1 and b2 registered on the given queues.</summary>
    public static DeploymentRouting Orders(string? current, string? ramping = null, float percent = 0, bool isRamping = false,
        DateTimeOffset? changed = null, params RegisteredTaskQueue[] queues) =>
        new("ns-id", "orders", current is null ? null : new DeploymentVersion("orders", current),
            ramping is null ? null : new DeploymentVersion("orders", ramping), isRamping || ramping is not null, percent,
            changed ?? T0,
            queues.Length > 0 ? queues : [new("b1", "tq", TaskKind.Workflow), new("b2", "tq", TaskKind.Workflow)]);
}
