namespace Tempora.Persistence.Nexus;

/// <summary>
/// One Nexus endpoint as the store holds it. <paramref name="Id"/> is a UUID in its canonical lowercase form;
/// <paramref name="Version"/> is 1 when created and grows by one with each update (each write expects the version it
/// read); <paramref name="Name"/> is unique across the cluster; <paramref name="Description"/> is the serialized
/// Payload of the spec's description (null when none was given); <paramref name="LastModifiedTime"/> is null until the
/// first update. Times are kept to the millisecond, as both stores can hold them.
/// </summary>
public sealed record NexusEndpointRecord(
    string Id, long Version, string Name, NexusEndpointTarget Target, byte[]? Description, DateTimeOffset CreatedTime,
    DateTimeOffset? LastModifiedTime)
{
    /// <summary>Throws <see cref="ArgumentException"/> (a caller's bug) unless this is the version after <paramref name="expectedVersion"/>.</summary>
    public void ThrowUnlessNextAfter(long expectedVersion)
    {
        if (Version != expectedVersion + 1)
        {
            throw new ArgumentException($"Inconsistent update of Nexus endpoint {Id}: its version must be {expectedVersion + 1}.");
        }
    }
}
