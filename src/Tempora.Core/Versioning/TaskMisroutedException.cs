namespace Tempora.Core.Versioning;

/// <summary>
/// History refused to start a task on the poller that took it: the run is pinned to another version (a task restored
/// from its row after a restart carries no routing, or an override moved the run). The task is still due; matching
/// offers it again to <see cref="PinnedTo"/>'s pollers.
/// </summary>
public sealed class TaskMisroutedException(DeploymentVersion pinnedTo)
    : Exception($"The task belongs to worker deployment version {pinnedTo.ToCanonicalString()}.")
{
    public DeploymentVersion PinnedTo { get; } = pinnedTo;
}
