using Temporalio.Api.Common.V1;

namespace Tempora.History.Execution;

/// <summary>The legacy build-id stamp of a poller, as Temporal 1.28 takes it from worker_version_capabilities.</summary>
internal static class WorkerStamps
{
    /// <summary>
    /// The stamp recorded on WorkflowTaskStarted and ActivityTaskStarted: the capabilities' build id and
    /// use_versioning; none without a build id, or for the v0.30 deployment form (use_versioning with a deployment
    /// series name), as 1.28's StampFromCapabilities.
    /// </summary>
    public static WorkerVersionStamp? FromCapabilities(WorkerVersionCapabilities? capabilities) =>
        capabilities is { BuildId.Length: > 0 } c && !(c.UseVersioning && c.DeploymentSeriesName.Length > 0)
            ? new WorkerVersionStamp { BuildId = c.BuildId, UseVersioning = c.UseVersioning }
            : null;
}
