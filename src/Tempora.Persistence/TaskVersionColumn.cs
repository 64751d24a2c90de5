using Tempora.Core.Versioning;

namespace Tempora.Persistence;

/// <summary>
/// The <c>pinned_version</c> column of a backlog task's row in both stores: the worker deployment version a pinned run's
/// task waits for, as <c>deployment.build</c> (a deployment name holds no dot), or NULL for a task any poller of its
/// queue's routing may take.
/// </summary>
public static class TaskVersionColumn
{
    public static string? Write(DeploymentVersion? pinnedTo) => pinnedTo?.ToCanonicalString();

    public static DeploymentVersion? Read(string? stored) =>
        stored is null ? null
        : DeploymentVersion.TryParse(stored, out var version) ? version
        : throw new CorruptDataException($"Stored task version '{stored}' does not parse.");
}
