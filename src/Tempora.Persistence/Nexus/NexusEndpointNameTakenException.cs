namespace Tempora.Persistence.Nexus;

/// <summary>A create or rename of a Nexus endpoint hit another endpoint's name (the store's unique index); nothing was written.</summary>
public sealed class NexusEndpointNameTakenException(string name) : Exception($"A Nexus endpoint named {name} exists already.")
{
    public string Name { get; } = name;
}
