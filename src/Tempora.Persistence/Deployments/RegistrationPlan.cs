using Tempora.Core;
using Tempora.Core.Versioning;
using Temporalio.Api.Enums.V1;

namespace Tempora.Persistence.Deployments;

/// <summary>
/// What registering a versioned poller's (version, task queue, type) must write, decided from the deployment as read
/// inside the store's transaction, with Temporal 1.28's limits: shared by both stores so they apply the same rules.
/// </summary>
public sealed record RegistrationPlan(bool CreateDeployment, string? EvictBuildId, bool AddVersion, bool AddTaskQueue)
{
    public bool Changes => CreateDeployment || AddVersion || AddTaskQueue;

    public static RegistrationPlan Decide(WorkerDeploymentRecord? deployment, Func<int> deploymentsInNamespace,
        DeploymentVersion version, string taskQueue, TaskKind kind, Func<DeploymentVersion, IReadOnlyList<VersionTaskQueue>, bool>? hasPollers)
    {
        if (deployment is null)
        {
            if (deploymentsInNamespace() >= DeploymentLimitException.MaxDeploymentsPerNamespace)
            {
                throw DeploymentLimitException.Deployments();
            }
            return new RegistrationPlan(true, null, true, true);
        }
        var existing = deployment.Version(version.BuildId);
        if (existing is null)
        {
            string? evict = null;
            if (deployment.Versions.Count >= DeploymentLimitException.MaxVersionsPerDeployment)
            {
                // 1.28 tries the versions oldest first and deletes the first its delete checks allow: not current or
                // ramping, not draining, no pollers.
                evict = deployment.Versions
                    .Where(v => v.Status is WorkerDeploymentVersionStatus.Inactive or WorkerDeploymentVersionStatus.Drained
                        && v.BuildId != deployment.CurrentBuildId && v.BuildId != deployment.RampingBuildId
                        && hasPollers?.Invoke(new DeploymentVersion(deployment.Name, v.BuildId), v.TaskQueues) != true)
                    .OrderBy(v => v.CreateTime)
                    .FirstOrDefault()?.BuildId ?? throw DeploymentLimitException.Versions(version);
            }
            return new RegistrationPlan(false, evict, true, true);
        }
        if (existing.TaskQueues.Contains(new VersionTaskQueue(taskQueue, kind)))
        {
            return new RegistrationPlan(false, null, false, false);
        }
        var names = existing.TaskQueues.Select(q => q.Name).Distinct().Count();
        if (names >= DeploymentLimitException.MaxTaskQueuesPerVersion && existing.TaskQueues.All(q => q.Name != taskQueue))
        {
            throw DeploymentLimitException.TaskQueues(taskQueue);
        }
        return new RegistrationPlan(false, null, false, true);
    }
}
