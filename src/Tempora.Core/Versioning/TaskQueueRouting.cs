namespace Tempora.Core.Versioning;

/// <summary>
/// Where new and unpinned tasks of one task queue (and type) go: the current version of the deployment the queue is
/// registered in, and the ramping version that takes <see cref="RampPercentage"/> of workflow ids. A null version is
/// the unversioned queue (workers without deployment options). <see cref="Unversioned"/> when the queue belongs to
/// no deployment.
/// </summary>
public sealed record TaskQueueRouting(DeploymentVersion? Current, DeploymentVersion? Ramping, bool IsRamping, float RampPercentage)
{
    public static TaskQueueRouting Unversioned { get; } = new(null, null, false, 0);

    /// <summary>
    /// The version an unpinned task of <paramref name="workflowId"/> goes to, as Temporal's
    /// FindDeploymentVersionForWorkflowID picks it: the ramping version when the id's hash falls within the
    /// percentage, else the current one. Per workflow id, so every run and task of one workflow lands on the same side.
    /// </summary>
    public DeploymentVersion? TargetFor(string workflowId)
    {
        if (!IsRamping || RampPercentage <= 0)
        {
            return Current;
        }
        if (RampPercentage >= 100)
        {
            return Ramping;
        }
        var hash = workflowId.Length == 0 ? (uint)Random.Shared.Next() : FarmHash.Fingerprint32(workflowId);
        return 100.0 * hash / 4294967296.0 < RampPercentage ? Ramping : Current;
    }
}
