using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

/// <summary>
/// Builds a run's mutable state from its history alone, through the same <see cref="EventApplier"/> that live command
/// handling uses. A reset builds its new run this way; <see cref="RebuildCheck"/> compares the result with the state
/// that was stored.
/// </summary>
internal static class MutableStateRebuilder
{
    /// <summary>
    /// Replays <paramref name="history"/> (ids 1, 2, … without gaps) onto a run with the identity of
    /// <paramref name="identity"/>, then applies <paramref name="buffered"/>: events that arrived while a workflow task
    /// ran, applied already but written only when it ends.
    /// </summary>
    public static MutableState Rebuild(MutableState identity, IEnumerable<HistoryEvent> history, IEnumerable<HistoryEvent>? buffered = null)
    {
        var s = MutableState.ForNewRun(identity.NamespaceId, identity.WorkflowId, identity.RunId, identity.StartRequestId, identity.StartTime);
        foreach (var e in history)
        {
            Replay(s, e);
        }
        foreach (var e in buffered ?? [])
        {
            EventApplier.Apply(s, e);
        }
        return s;
    }

    /// <summary>Adds one written event to a state being rebuilt: its id must be the next one.</summary>
    public static void Replay(MutableState s, HistoryEvent e)
    {
        if (e.EventId != s.NextEventId)
        {
            throw new InvalidOperationException($"History is out of order: event {e.EventId} where {s.NextEventId} was expected.");
        }
        EventApplier.Count(s, e);
        EventApplier.Apply(s, e);
    }
}
