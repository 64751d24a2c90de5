namespace Tempora.Persistence.Deployments;

/// <summary>
/// One worker deployment of a namespace as stored: its routing (current build id, null: unversioned; ramping build id,
/// null: no ramp, empty: the unversioned ramp), the times each part of it last changed, the conflict token clients
/// must echo to change it, and its versions (newest first). <see cref="RowVersion"/> is the optimistic lock every
/// write is conditional on; registering a version or task queue moves it too, not the conflict token.
/// </summary>
public sealed record WorkerDeploymentRecord(
    string NamespaceId, string Name, DateTimeOffset CreateTime,
    string? CurrentBuildId, DateTimeOffset? CurrentChangedTime,
    string? RampingBuildId, float RampPercentage, DateTimeOffset? RampingChangedTime, DateTimeOffset? RampPercentageChangedTime,
    DateTimeOffset RoutingChangedTime, long ConflictToken, string? LastModifierIdentity, long RowVersion,
    IReadOnlyList<WorkerDeploymentVersionRecord> Versions)
{
    public WorkerDeploymentVersionRecord? Version(string buildId) => Versions.FirstOrDefault(v => v.BuildId == buildId);

    /// <summary>The next conflict token after this one: the change time in microseconds, strictly increasing, so two
    /// changes within one clock tick still give two tokens.</summary>
    public long NextConflictToken(DateTimeOffset now) => Math.Max(ConflictToken + 1, (now - DateTimeOffset.UnixEpoch).Ticks / 10);
}
