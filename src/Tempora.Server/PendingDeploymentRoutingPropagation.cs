using Tempora.Core.Versioning;

namespace Tempora.Server;

/// <summary>
/// Stand-in until matching's routing cache lands (issue 26, the lead's part): nothing routes by deployments yet, so
/// there is nothing to reload. The real implementation reloads the routing here and on every replica before answering.
/// </summary>
internal sealed class PendingDeploymentRoutingPropagation : IDeploymentRoutingPropagation
{
    public Task PropagateAsync(CancellationToken ct) => Task.CompletedTask;
}
