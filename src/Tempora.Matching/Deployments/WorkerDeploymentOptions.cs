namespace Tempora.Matching.Deployments;

/// <summary>
/// Timing of worker deployments, as Temporal 1.28's dynamic config sets it: a version stopped being current or ramping
/// is first checked for drained after <see cref="DrainageGracePeriod"/> (matching.wv.VersionDrainageStatusVisibilityGracePeriod)
/// and then every <see cref="DrainageRefreshInterval"/> (…RefreshInterval); a poller counts as active for
/// <see cref="PollerActivityWindow"/> after its last poll (matching.PollerHistoryTTL). Tests shorten them.
/// </summary>
public sealed record WorkerDeploymentOptions
{
    public TimeSpan DrainageGracePeriod { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan DrainageRefreshInterval { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan PollerActivityWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a poll whose registration failed is held before it answers, so that the SDK's retry does not
    /// come at once (1.28's deploymentRegisterErrorBackoff).</summary>
    public TimeSpan RegistrationErrorBackoff { get; init; } = TimeSpan.FromSeconds(5);
}
