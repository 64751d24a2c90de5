using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>A run's history as a read saw it: open or not, where it ends, the transient workflow task events.</summary>
internal sealed record HistorySnapshot(bool Open, long NextEventId, Task Changed, IReadOnlyList<HistoryEvent> Transient)
{
    /// <summary>The run's Nexus serialization context, which a history read hands back with its events.</summary>
    public Temporalio.Api.Nexus.V1.PropagatedSerializationContext? NexusSerializationContext { get; init; }
}
