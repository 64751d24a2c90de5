using Temporalio.Api.History.V1;

namespace Tempora.History.Updates;

/// <summary>
/// The events a short run keeps in its cached context, so that workflow task polls and the result read do not go back
/// to the store for events just written (short workflows are the common case).
/// </summary>
internal static class CachedHistory
{
    /// <summary>
    /// Runs with at most this many events keep their history in the cache. Kept small because the events are held as
    /// objects, for every cached run: at 256, 2,000 open runs of 35 events each added about 100 MB to the peak
    /// (docs/performance.md).
    /// </summary>
    private const int MaxCachedHistoryEvents = 32;

    /// <summary>
    /// The cached history after a commit appended <paramref name="added"/>: null (read the store) when it was not
    /// known, when the run outgrows <see cref="MaxCachedHistoryEvents"/>, or when the ids do not follow on.
    /// </summary>
    public static HistoryEvent[]? With(HistoryEvent[]? cached, List<HistoryEvent> added)
    {
        if (cached is null || added.Count == 0)
        {
            return cached;
        }
        if (cached.Length + added.Count > MaxCachedHistoryEvents)
        {
            return null;
        }
        for (var i = 0; i < added.Count; i++)
        {
            if (added[i].EventId != cached.Length + 1 + i)
            {
                return null;
            }
        }
        return [.. cached, .. added];
    }
}
