using System.Text.Json.Nodes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.Bench;

/// <summary>
/// Where a workflow's time goes: for a few workflows spread over the run, the client's wall-clock time of the start
/// request and of the result, and after the run their histories. Medians of each gap go into the JSON line
/// (`phases_ms`). Client and server share the machine's clock, so the gaps between the two sides are meaningful.
/// </summary>
internal sealed class PhaseProbe
{
    private readonly int _every;
    private readonly (string? Id, DateTime Start, DateTime Result)[] _samples;

    public PhaseProbe(int workflows, int samples)
    {
        _every = samples <= 0 ? 0 : Math.Max(1, workflows / samples);
        _samples = new (string?, DateTime, DateTime)[samples <= 0 ? 0 : (workflows + _every - 1) / _every];
    }

    /// <summary>The slot of workflow <paramref name="i"/>, or -1 when it is not sampled.</summary>
    public int Slot(int i) => _every > 0 && i % _every == 0 && i / _every < _samples.Length ? i / _every : -1;

    public void Started(int slot, string id, DateTime requestUtc) => _samples[slot] = (id, requestUtc, default);

    public void ResultSeen(int slot, DateTime utc) => _samples[slot].Result = utc;

    /// <summary>
    /// The medians of each phase; <paramref name="history"/> reads one workflow's events by its id. With at least 100
    /// workflows sampled, also the slowest 1 % of them (end to end, client side), each phase's median among those,
    /// and one trace line per slow workflow on stderr: the tail's extra time shows up in the phase that holds it.
    /// </summary>
    public async Task<JsonObject?> SummarizeAsync(Func<string, CancellationToken, Task<IReadOnlyList<HistoryEvent>>> history, CancellationToken ct)
    {
        if (_samples.Length == 0)
        {
            return null;
        }
        var traces = new List<(string Id, double TotalMs, Dictionary<string, double> Gaps)>();
        foreach (var (id, start, result) in _samples)
        {
            if (id is null || result == default)
            {
                continue;
            }
            ct.ThrowIfCancellationRequested();
            traces.Add((id, (result - start).TotalMilliseconds, Gaps(await history(id, ct), start, result)));
        }
        var json = Medians(traces);
        json["workflows_sampled"] = traces.Count;
        if (traces.Count >= 100)
        {
            var slowest = traces.OrderByDescending(t => t.TotalMs).Take((traces.Count + 99) / 100).ToList();
            foreach (var (id, total, gaps) in slowest)
            {
                Console.Error.WriteLine($"[bench] slow workflow {id}: {total:F1} ms; " +
                    string.Join(", ", gaps.Select(g => $"{g.Key} {g.Value:F1}")));
            }
            var tail = Medians(slowest);
            tail["workflows"] = slowest.Count;
            json["slowest_1pct"] = tail;
        }
        return json;
    }

    private static JsonObject Medians(List<(string Id, double TotalMs, Dictionary<string, double> Gaps)> traces)
    {
        var json = new JsonObject { ["end_to_end"] = Stats.Median(traces.Select(t => t.TotalMs).ToList()) is { } e ? Stats.R(e, 1) : null };
        foreach (var name in PhaseNames)
        {
            var values = traces.Where(t => t.Gaps.ContainsKey(name)).Select(t => t.Gaps[name]).ToList();
            json[name] = Stats.Median(values) is { } m ? Stats.R(m, 1) : null;
        }
        return json;
    }

    private static readonly string[] PhaseNames =
    [
        "request_to_started", "wft_schedule_to_start", "wft_start_to_complete", "activity_schedule_to_start",
        "activity_start_to_complete", "activity_complete_to_wft_start", "closed_to_result_seen",
    ];

    /// <summary>One workflow's phases (ms), from its events' server-side times and the client's own two times.
    /// Where a phase occurs twice (two workflow tasks), its times add up.</summary>
    private static Dictionary<string, double> Gaps(IReadOnlyList<HistoryEvent> events, DateTime start, DateTime result)
    {
        var gaps = new Dictionary<string, double>();
        void Add(string name, double ms) => gaps[name] = gaps.GetValueOrDefault(name) + ms;
        var times = new Dictionary<long, DateTime>();
        void Since(string name, long fromEventId, DateTime to)
        {
            if (times.TryGetValue(fromEventId, out var from))
            {
                Add(name, (to - from).TotalMilliseconds);
            }
        }
        DateTime? lastActivityCompleted = null;
        foreach (var e in events)
        {
            var t = e.EventTime.ToDateTime();
            times[e.EventId] = t;
            switch (e.EventType)
            {
                case EventType.WorkflowExecutionStarted:
                    Add("request_to_started", (t - start).TotalMilliseconds);
                    break;
                case EventType.WorkflowTaskStarted:
                    Since("wft_schedule_to_start", e.WorkflowTaskStartedEventAttributes.ScheduledEventId, t);
                    if (lastActivityCompleted is { } done)
                    {
                        Add("activity_complete_to_wft_start", (t - done).TotalMilliseconds);
                        lastActivityCompleted = null;
                    }
                    break;
                case EventType.WorkflowTaskCompleted:
                    Since("wft_start_to_complete", e.WorkflowTaskCompletedEventAttributes.StartedEventId, t);
                    break;
                case EventType.ActivityTaskStarted:
                    Since("activity_schedule_to_start", e.ActivityTaskStartedEventAttributes.ScheduledEventId, t);
                    break;
                case EventType.ActivityTaskCompleted:
                    Since("activity_start_to_complete", e.ActivityTaskCompletedEventAttributes.StartedEventId, t);
                    lastActivityCompleted = t;
                    break;
                case EventType.WorkflowExecutionCompleted:
                    Add("closed_to_result_seen", (result - t).TotalMilliseconds);
                    break;
                default:
                    break;
            }
        }
        return gaps;
    }
}
