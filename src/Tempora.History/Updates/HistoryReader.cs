using Tempora.Core;
using Tempora.Persistence;
using Temporalio.Api.History.V1;

namespace Tempora.History.Updates;

/// <summary>Reads a run's events: from its cached history when that covers the range, else from the stored batches.</summary>
internal sealed class HistoryReader(IExecutionStore store, RunCache runs)
{
    /// <summary>Events with ids in [from, toExclusive), from the cache or (always, with <paramref name="fromStore"/>) the stored batches.</summary>
    public async Task<List<HistoryEvent>> ReadEventsAsync(WorkflowKey key, long from, long toExclusive, CancellationToken ct,
        bool fromStore = false)
    {
        var events = new List<HistoryEvent>();
        if (from >= toExclusive)
        {
            return events;
        }
        from = Math.Max(from, 1);
        if (!fromStore && runs.TryGet(key, out var ctx) && ctx.History is { } cached && toExclusive - 1 <= cached.Length)
        {
            events.AddRange(cached.AsSpan((int)from - 1, (int)(toExclusive - from)));
            return events;
        }
        foreach (var batch in await store.ReadHistoryAsync(key, from, toExclusive, ct))
        {
            foreach (var e in Temporalio.Api.History.V1.History.Parser.ParseFrom(batch.Data).Events)
            {
                if (e.EventId >= from && e.EventId < toExclusive)
                {
                    events.Add(e);
                }
            }
        }
        return events;
    }
}
