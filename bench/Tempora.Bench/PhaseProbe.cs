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

    /// <summary>The medians of each phase; <paramref name="history"/> reads one workflow's events by its id.</summary>
    public async Task<JsonObject?> SummarizeAsync(Func<string, CancellationToken, Task<IReadOnlyList<HistoryEvent>>> history, CancellationToken ct)
    {
        if (_samples.Length == 0)
        {
            return null;
        }
        var gaps = new Dictionary<string, List<double>>
        {
            ["request_to_started"] = [],
            ["wft_schedule_to_start"] = [],
            ["wft_start_to_complete"] = [],
            ["activity_schedule_to_start"] = [],
            ["activity_start_to_complete"] = [],
            ["activity_complete_to_wft_start"] = [],
            ["closed_to_result_seen"] = [],
        };
        var used = 0;
        foreach (var (id, start, result) in _samples)
        {
            if (id is null || result == default)
            {
                continue;
            }
            ct.ThrowIfCancellationRequested();
            var events = await history(id, ct);
            used++;
            var times = new Dictionary<long, DateTime>();
            DateTime? lastActivityCompleted = null;
            foreach (var e in events)
            {
                var t = e.EventTime.ToDateTime();
                times[e.EventId] = t;
                switch (e.EventType)
                {
                    case EventType.WorkflowExecutionStarted:
                        gaps["request_to_started"].Add((t - start).TotalMilliseconds);
                        break;
                    case EventType.WorkflowTaskStarted:
                        Add(gaps["wft_schedule_to_start"], times, e.WorkflowTaskStartedEventAttributes.ScheduledEventId, t);
                        if (lastActivityCompleted is { } done)
                        {
                            gaps["activity_complete_to_wft_start"].Add((t - done).TotalMilliseconds);
                            lastActivityCompleted = null;
                        }
                        break;
                    case EventType.WorkflowTaskCompleted:
                        Add(gaps["wft_start_to_complete"], times, e.WorkflowTaskCompletedEventAttributes.StartedEventId, t);
                        break;
                    case EventType.ActivityTaskStarted:
                        Add(gaps["activity_schedule_to_start"], times, e.ActivityTaskStartedEventAttributes.ScheduledEventId, t);
                        break;
                    case EventType.ActivityTaskCompleted:
                        Add(gaps["activity_start_to_complete"], times, e.ActivityTaskCompletedEventAttributes.StartedEventId, t);
                        lastActivityCompleted = t;
                        break;
                    case EventType.WorkflowExecutionCompleted:
                        gaps["closed_to_result_seen"].Add((result - t).TotalMilliseconds);
                        break;
                    default:
                        break;
                }
            }
        }
        var json = new JsonObject { ["workflows_sampled"] = used };
        foreach (var (name, values) in gaps)
        {
            json[name] = Stats.Median(values) is { } m ? Stats.R(m, 1) : null;
        }
        return json;
    }

    private static void Add(List<double> gaps, Dictionary<long, DateTime> times, long fromEventId, DateTime to)
    {
        if (times.TryGetValue(fromEventId, out var from))
        {
            gaps.Add((to - from).TotalMilliseconds);
        }
    }
}
