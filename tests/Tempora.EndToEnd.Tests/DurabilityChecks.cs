using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;

namespace Tempora.EndToEnd.Tests;

/// <summary>Assertions shared by the durability tests: a workflow run completed exactly once, with the expected result.</summary>
internal static class DurabilityChecks
{
    /// <summary>
    /// The run <paramref name="runId"/> of <paramref name="workflowId"/> completed with <paramref name="expected"/>; its
    /// history has contiguous event ids and a single WorkflowExecutionCompleted as its last event; it is still the
    /// current run of the id (nothing started it again). Returns the history for further checks.
    /// </summary>
    public static async Task<IReadOnlyList<HistoryEvent>> AssertCompletedOnceAsync<T>(
        ITemporalClient client, string workflowId, string runId, T expected)
    {
        var handle = client.GetWorkflowHandle(workflowId, runId);
        var result = await handle.GetResultAsync<T>(followRuns: false).WithTimeout($"the result of {workflowId}");
        Assert.Equal(expected, result);

        var events = await handle.EventsAsync();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        Assert.Single(events, e => e.EventType == EventType.WorkflowExecutionStarted);
        Assert.Single(events, e => e.EventType == EventType.WorkflowExecutionCompleted);
        Assert.Equal(EventType.WorkflowExecutionCompleted, events[^1].EventType);

        var current = await client.GetWorkflowHandle(workflowId).DescribeAsync();
        Assert.Equal(runId, current.RunId);
        Assert.Equal(WorkflowExecutionStatus.Completed, current.Status);
        return events;
    }

    /// <summary>Each scheduled activity completed once in history (the worker may have run it more than once: at-least-once).</summary>
    public static void AssertActivitiesCompletedOnce(IReadOnlyList<HistoryEvent> events, int activities)
    {
        Assert.Equal(activities, events.Count(e => e.EventType == EventType.ActivityTaskScheduled));
        var completed = events.Where(e => e.EventType == EventType.ActivityTaskCompleted).ToList();
        Assert.Equal(activities, completed.Count);
        Assert.Equal(activities, completed.Select(e => e.ActivityTaskCompletedEventAttributes.ScheduledEventId).Distinct().Count());
    }

    /// <summary>Each started timer fired once.</summary>
    public static void AssertTimersFiredOnce(IReadOnlyList<HistoryEvent> events, int timers)
    {
        Assert.Equal(timers, events.Count(e => e.EventType == EventType.TimerStarted));
        var fired = events.Where(e => e.EventType == EventType.TimerFired).ToList();
        Assert.Equal(timers, fired.Count);
        Assert.Equal(timers, fired.Select(e => e.TimerFiredEventAttributes.TimerId).Distinct(StringComparer.Ordinal).Count());
    }
}
