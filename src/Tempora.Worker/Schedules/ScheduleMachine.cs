using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// Temporal's schedule semantics as pure functions of a state and a time: which due times to act on (catch-up
/// window, pause, remaining actions, backfills, triggers), what the overlap policy makes of them, and how each outcome
/// changes the state. No I/O: the runner loads, calls, does the effect and stores.
/// </summary>
public static partial class ScheduleMachine
{
    /// <summary>A new schedule's state from its create request (spec canonicalized, initial patch applied); throws
    /// <see cref="Specs.ScheduleSpecException"/> or <see cref="ScheduleRequestException"/> on bad input.</summary>
    public static ScheduleState Create(CreateScheduleRequest request, string namespaceName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ScheduleRequestChecks.CheckCreate(request);
        var schedule = request.Schedule?.Clone() ?? new Schedule();
        schedule.Spec = CompiledSpec.Canonicalize(schedule.Spec ?? new ScheduleSpec());
        ScheduleRequestChecks.CheckStartWorkflow(schedule.Action?.StartWorkflow);
        FillDefaults(schedule);
        var state = new ScheduleState
        {
            Schedule = schedule,
            Info = new ScheduleInfo { CreateTime = Timestamp.FromDateTimeOffset(now) },
            Memo = request.Memo?.Clone(),
            SearchAttributes = request.SearchAttributes?.Clone(),
            CreateRequestId = request.RequestId,
            ConflictToken = ScheduleLimits.InitialConflictToken,
            Namespace = namespaceName,
            ScheduleId = request.ScheduleId,
            // Only times after the creation are due.
            LastProcessedTime = now,
        };
        if (request.InitialPatch is not null)
        {
            // Upstream applies the initial patch unchecked (its notes are not limited).
            Patch(state, request.InitialPatch, now);
        }
        return state;
    }

    /// <summary>
    /// Brings the state up to <paramref name="now"/> (buffers due times since the last look, drops what the catch-up
    /// window or the overlap policy drops) and picks the next effect. Call again after recording its outcome until
    /// the decision has no effect.
    /// </summary>
    /// <remarks>
    /// NextWake is the actual time of the next due time, null while the schedule is paused or out of actions. Buffered
    /// starts waiting for a running workflow are woken by that workflow's close (<see cref="RecordClosed"/>), which the
    /// runner watches for every entry of info.running_workflows.
    /// </remarks>
    public static ScheduleDecision Advance(ScheduleState state, string namespaceName, string scheduleId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Namespace.Length == 0)
        {
            state.Namespace = namespaceName;
        }
        if (state.ScheduleId.Length == 0)
        {
            state.ScheduleId = scheduleId;
        }
        var spec = CompiledSpec.Compile(state.Schedule.Spec);
        var nextDue = BufferDueTimes(state, spec, now);
        BufferBackfills(state, spec);
        var effect = NextEffect(state);
        return new ScheduleDecision(effect, NextWake(state, nextDue, now));
    }

    /// <summary>Buffers the spec's times in (high-water mark, now]; returns the actual time of the first one after.</summary>
    private static DateTimeOffset? BufferDueTimes(ScheduleState state, CompiledSpec spec, DateTimeOffset now)
    {
        var seed = JitterSeed(state);
        if (!CanTakeScheduledAction(state))
        {
            // Paused or out of actions: the time passes without action, and is not counted as missed either.
            if (now > state.LastProcessedTime)
            {
                state.LastProcessedTime = now;
            }
            return spec.NextAfter(state.LastProcessedTime, seed)?.Actual;
        }
        var catchupWindow = CatchupWindow(state.Schedule.Policies);
        var updateTime = state.Info.UpdateTime?.ToDateTimeOffset();
        var due = spec.NextAfter(state.LastProcessedTime, seed);
        while (due is { } time && time.Actual <= now)
        {
            if (updateTime is { } updated && time.Actual < updated)
            {
                // Due before the last update: that schedule no longer exists.
            }
            else if (now - time.Actual > catchupWindow)
            {
                state.Info.MissedCatchupWindow++;
            }
            else
            {
                AddStart(state, time.Nominal, time.Actual, ScheduleOverlapPolicy.Unspecified, manual: false);
            }
            state.LastProcessedTime = time.Actual;
            due = spec.NextAfter(time.Actual, seed);
        }
        return due?.Actual;
    }

    /// <summary>Buffers the times of pending backfills, a few per look and while the buffer is less than half full.</summary>
    private static void BufferBackfills(ScheduleState state, CompiledSpec spec)
    {
        var seed = JitterSeed(state);
        var limit = ScheduleLimits.BackfillsPerAdvance;
        while (state.OngoingBackfills.Count > 0 && limit > 0 && state.BufferedStarts.Count < ScheduleLimits.MaxBufferSize / 2)
        {
            var backfill = state.OngoingBackfills[0];
            var end = backfill.EndTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
            var due = spec.NextAfter(backfill.StartTime.ToDateTimeOffset(), seed);
            var finished = true;
            while (due is { } time && time.Actual <= end)
            {
                AddStart(state, time.Nominal, time.Actual, backfill.OverlapPolicy, manual: true);
                if (--limit == 0)
                {
                    // Resume after this time on the next look.
                    backfill.StartTime = Timestamp.FromDateTimeOffset(time.Actual);
                    finished = false;
                    break;
                }
                due = spec.NextAfter(time.Actual, seed);
            }
            if (finished)
            {
                state.OngoingBackfills.RemoveAt(0);
            }
        }
    }

    /// <summary>
    /// Applies the overlap policies to the buffer and returns the first thing to do: a start, or a stop of the running
    /// workflow that a cancel-other or terminate-other start waits for. Starts that may not be taken now (a due time
    /// while paused or out of actions) are dropped, as upstream drops them.
    /// </summary>
    private static ScheduleEffect? NextEffect(ScheduleState state)
    {
        var action = state.Schedule.Action?.StartWorkflow;
        if (action is null)
        {
            state.BufferedStarts.Clear();
            return null;
        }
        while (state.BufferedStarts.Count > 0)
        {
            var outcome = OverlapBuffer.Process(state.BufferedStarts, state.Info.RunningWorkflows.Count > 0, p => ResolveOverlapPolicy(state, p));
            state.Info.OverlapSkipped += outcome.Skipped;
            var starts = outcome.Starts.ToList();
            var takeable = starts.Where(s => s.Manual || CanTakeScheduledAction(state)).ToList();
            // The starts to make stay first in the buffer until their outcome is recorded: processing the buffer
            // again gives the same answer, so a lost outcome only repeats the same request.
            state.BufferedStarts = [.. takeable, .. outcome.Waiting];
            if (takeable.Count > 0)
            {
                var start = takeable[0];
                var request = ScheduledStartRequest.Build(state, start, action, ResolveOverlapPolicy(state, start.OverlapPolicy));
                return new StartEffect(start.Nominal, start.Actual, start.Manual, request);
            }
            if (outcome.NeedTerminate || outcome.NeedCancel)
            {
                return NextStop(state, outcome.NeedTerminate);
            }
            if (takeable.Count == starts.Count)
            {
                break;
            }
        }
        return null;
    }

    /// <summary>The first running workflow not yet asked to stop this way (a terminate overrides an earlier cancel).</summary>
    private static StopEffect? NextStop(ScheduleState state, bool terminate)
    {
        foreach (var run in state.Info.RunningWorkflows)
        {
            var asked = state.StopsRequested.TryGetValue(run.RunId, out var terminating);
            if (!asked || (terminate && !terminating))
            {
                var reason = terminate ? "terminated by schedule overlap policy" : "cancelled by schedule overlap policy";
                return new StopEffect(run.WorkflowId, run.RunId, terminate, reason);
            }
        }
        return null;
    }

    private static DateTimeOffset? NextWake(ScheduleState state, DateTimeOffset? nextDue, DateTimeOffset now)
    {
        if (HasMoreAllowAllBackfills(state) || (state.OngoingBackfills.Count > 0 && state.Info.RunningWorkflows.Count == 0))
        {
            // More backfilled times to buffer and no close to wait for: look again shortly.
            return now + ScheduleLimits.BackfillPause;
        }
        return CanTakeScheduledAction(state) ? nextDue : null;
    }

    private static bool HasMoreAllowAllBackfills(ScheduleState state) =>
        state.OngoingBackfills.Count > 0 && IsAllowAll(state, state.OngoingBackfills[0].OverlapPolicy);

    private static void AddStart(ScheduleState state, DateTimeOffset nominal, DateTimeOffset actual, ScheduleOverlapPolicy policy, bool manual)
    {
        if (state.BufferedStarts.Count >= ScheduleLimits.MaxBufferSize)
        {
            state.Info.BufferDropped++;
            return;
        }
        state.BufferedStarts.Add(new BufferedStart(nominal, actual, policy, manual, state.NextStartSequence++));
    }

    /// <summary>Whether a due time of the spec may start a workflow now (triggers and backfills always may).</summary>
    private static bool CanTakeScheduledAction(ScheduleState state) =>
        !state.Schedule.State.Paused && (!state.Schedule.State.LimitedActions || state.Schedule.State.RemainingActions > 0);

    private static ScheduleOverlapPolicy ResolveOverlapPolicy(ScheduleState state, ScheduleOverlapPolicy policy)
    {
        if (policy == ScheduleOverlapPolicy.Unspecified)
        {
            policy = state.Schedule.Policies?.OverlapPolicy ?? ScheduleOverlapPolicy.Unspecified;
        }
        return policy == ScheduleOverlapPolicy.Unspecified ? ScheduleOverlapPolicy.Skip : policy;
    }

    private static bool IsAllowAll(ScheduleState state, ScheduleOverlapPolicy policy) =>
        ResolveOverlapPolicy(state, policy) == ScheduleOverlapPolicy.AllowAll;

    /// <summary>The catch-up window in effect: 365 days when unset, never less than 10 seconds.</summary>
    private static TimeSpan CatchupWindow(SchedulePolicies? policies)
    {
        if (policies?.CatchupWindow is null)
        {
            return ScheduleLimits.DefaultCatchupWindow;
        }
        var window = policies.CatchupWindow.ToTimeSpan();
        return window < ScheduleLimits.MinCatchupWindow ? ScheduleLimits.MinCatchupWindow : window;
    }

    /// <summary>Upstream's ensureFields: every part present and the defaults written out, so Describe shows them.</summary>
    private static void FillDefaults(Schedule schedule)
    {
        schedule.Spec ??= new ScheduleSpec();
        schedule.Action ??= new ScheduleAction();
        schedule.Policies ??= new SchedulePolicies();
        schedule.State ??= new Temporalio.Api.Schedule.V1.ScheduleState();
        schedule.Policies.OverlapPolicy = schedule.Policies.OverlapPolicy == ScheduleOverlapPolicy.Unspecified
            ? ScheduleOverlapPolicy.Skip
            : schedule.Policies.OverlapPolicy;
        schedule.Policies.CatchupWindow = Duration.FromTimeSpan(CatchupWindow(schedule.Policies));
    }

    /// <summary>Jitter is seeded per schedule, so two schedules with the same spec do not fire in lockstep.</summary>
    private static string JitterSeed(ScheduleState state) => $"{state.Namespace}-{state.ScheduleId}";
}
