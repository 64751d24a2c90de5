namespace Tempora.Persistence.Nexus;

/// <summary>
/// An update or delete of a Nexus endpoint found its row at another version than it expected, or no row at all
/// (<see cref="CurrentVersion"/> null). The database decided it (the write's WHERE clause); nothing was written.
/// </summary>
public sealed class NexusEndpointConditionFailedException(string id, long expectedVersion, long? currentVersion)
    : Exception(currentVersion is { } current
        ? $"Nexus endpoint {id} is at version {current}, not {expectedVersion}."
        : $"Nexus endpoint {id} does not exist.")
{
    public string Id { get; } = id;

    public long ExpectedVersion { get; } = expectedVersion;

    /// <summary>The version the row has; null when there is no row of that id.</summary>
    public long? CurrentVersion { get; } = currentVersion;
}
