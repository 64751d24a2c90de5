using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules;

public static partial class ScheduleMachine
{
    /// <summary>The start of <paramref name="effect"/> happened: the workflow runs as <paramref name="runId"/>.</summary>
    /// <remarks>Recording an outcome twice (or for a start no longer buffered) changes nothing.</remarks>
    public static void RecordStarted(ScheduleState state, StartEffect effect, string runId, DateTimeOffset startTime)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(effect);
        if (TakeBuffered(state, effect) is not { } start)
        {
            return;
        }
        if (!start.Manual && state.Schedule.State.LimitedActions)
        {
            state.Schedule.State.RemainingActions--;
            state.ConflictToken++;
        }
        var execution = new WorkflowExecution { WorkflowId = effect.Request.WorkflowId, RunId = runId };
        state.Info.ActionCount++;
        state.Info.RecentActions.Add(new ScheduleActionResult
        {
            ScheduleTime = Timestamp.FromDateTimeOffset(start.Actual),
            ActualTime = Timestamp.FromDateTimeOffset(startTime),
            StartWorkflowResult = execution,
            StartWorkflowStatus = WorkflowExecutionStatus.Running,
        });
        while (state.Info.RecentActions.Count > ScheduleLimits.RecentActionCount)
        {
            state.Info.RecentActions.RemoveAt(0);
        }
        if (!IsAllowAll(state, start.OverlapPolicy))
        {
            // Allow-all runs may overlap anything, so they are not waited for (nor watched).
            state.Info.RunningWorkflows.Add(execution.Clone());
        }
    }

    /// <summary>The start of <paramref name="effect"/> was refused because its workflow id is already running.</summary>
    /// <remarks>The start is dropped, as upstream drops a start that fails; it is not an action.</remarks>
    public static void RecordAlreadyRunning(ScheduleState state, StartEffect effect, DateTimeOffset now) =>
        RecordStartFailed(state, effect);

    /// <summary>
    /// The start of <paramref name="effect"/> failed for good (refused as a duplicate, or a request the server will
    /// never accept): the start is dropped and is not an action, as upstream's scheduler drops it. A transient failure
    /// is not recorded: the next <see cref="Advance"/> asks for the same start again.
    /// </summary>
    public static void RecordStartFailed(ScheduleState state, StartEffect effect)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(effect);
        TakeBuffered(state, effect);
    }

    /// <summary>A stop effect was carried out (or its workflow had already closed).</summary>
    public static void RecordStopped(ScheduleState state, StopEffect effect)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(effect);
        if (state.Info.RunningWorkflows.Any(r => r.RunId == effect.RunId))
        {
            state.StopsRequested[effect.RunId] = effect.Terminate || state.StopsRequested.GetValueOrDefault(effect.RunId);
        }
    }

    /// <summary>A running workflow of this schedule closed: drop it from the running list, update the recent action's
    /// status, keep its result or failure for the next start, pause on failure if the policy says so.</summary>
    /// <remarks>A workflow no longer in the running list (its close already recorded) changes nothing.</remarks>
    public static void RecordClosed(ScheduleState state, ScheduledRunClosed closed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(closed);
        // By workflow id, as upstream: a run that continued as new is the same scheduled workflow.
        var index = IndexOf(state.Info.RunningWorkflows, r => r.WorkflowId == closed.WorkflowId);
        if (index < 0)
        {
            return;
        }
        var runId = state.Info.RunningWorkflows[index].RunId;
        state.StopsRequested.Remove(runId);
        state.Info.RunningWorkflows.RemoveAt(index);
        // The action that started this run (a manual start may reuse a workflow id of an earlier action).
        var recent = IndexOf(state.Info.RecentActions, a => a.StartWorkflowResult?.WorkflowId == closed.WorkflowId && a.StartWorkflowResult.RunId == runId);
        if (recent >= 0)
        {
            state.Info.RecentActions[recent].StartWorkflowStatus = closed.Status;
        }
        PauseOnFailure(state, closed);
        if (closed.Result is not null)
        {
            state.LastCompletionResult = closed.Result.Clone();
            state.ContinuedFailure = null;
        }
        else if (closed.Failure is not null)
        {
            // The last completion result stays: the next run sees both.
            state.ContinuedFailure = closed.Failure.Clone();
        }
    }

    private static void PauseOnFailure(ScheduleState state, ScheduledRunClosed closed)
    {
        // Cancelled and terminated runs do not count as failures (upstream's default).
        if (!state.Schedule.Policies.PauseOnFailure || state.Schedule.State.Paused
            || closed.Status is not (WorkflowExecutionStatus.Failed or WorkflowExecutionStatus.TimedOut))
        {
            return;
        }
        state.Schedule.State.Paused = true;
        state.Schedule.State.Notes = closed.Status == WorkflowExecutionStatus.Failed
            ? $"paused due to workflow failure: {closed.WorkflowId}: {closed.Failure?.Message}"
            : $"paused due to workflow timeout: {closed.WorkflowId}";
        state.ConflictToken++;
    }

    /// <summary>Removes and returns the buffered start <paramref name="effect"/> was made for, if still buffered.</summary>
    private static BufferedStart? TakeBuffered(ScheduleState state, StartEffect effect)
    {
        var index = state.BufferedStarts.FindIndex(s => ScheduledStartRequest.RequestId(state, s) == effect.Request.RequestId);
        if (index < 0)
        {
            return null;
        }
        var start = state.BufferedStarts[index];
        state.BufferedStarts.RemoveAt(index);
        return start;
    }

    private static int IndexOf<T>(IList<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (match(items[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
