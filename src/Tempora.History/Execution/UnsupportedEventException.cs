using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

/// <summary>A history holds an event type Tempora cannot apply to mutable state.</summary>
internal sealed class UnsupportedEventException(HistoryEvent e)
    : Exception($"Event {e.EventId} of type {e.EventType} cannot be applied to mutable state by this server.")
{
    public HistoryEvent Event { get; } = e;
}
