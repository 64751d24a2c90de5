using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// Temporal's schedule semantics as pure functions of a state and a time: which due times to act on (catch-up
/// window, pause, remaining actions, backfills, triggers), what the overlap policy makes of them, and how each outcome
/// changes the state. No I/O: the runner loads, calls, does the effect and stores.
/// </summary>
public static class ScheduleMachine
{
    /// <summary>A new schedule's state from its create request (spec canonicalized, initial patch applied); throws
    /// <see cref="Specs.ScheduleSpecException"/> or <see cref="ScheduleRequestException"/> on bad input.</summary>
    public static ScheduleState Create(CreateScheduleRequest request, string namespaceName, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>
    /// Brings the state up to <paramref name="now"/> (buffers due times since the last look, drops what the catch-up
    /// window or the overlap policy drops) and picks the next effect. Call again after recording its outcome until
    /// the decision has no effect.
    /// </summary>
    public static ScheduleDecision Advance(ScheduleState state, string namespaceName, string scheduleId, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>The start of <paramref name="effect"/> happened: the workflow runs as <paramref name="runId"/>.</summary>
    public static void RecordStarted(ScheduleState state, StartEffect effect, string runId, DateTimeOffset startTime) =>
        throw new NotImplementedException();

    /// <summary>The start of <paramref name="effect"/> was refused because its workflow id is already running.</summary>
    public static void RecordAlreadyRunning(ScheduleState state, StartEffect effect, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>A stop effect was carried out (or its workflow had already closed).</summary>
    public static void RecordStopped(ScheduleState state, StopEffect effect) => throw new NotImplementedException();

    /// <summary>A running workflow of this schedule closed: drop it from the running list, update the recent action's
    /// status, keep its result or failure for the next start, pause on failure if the policy says so.</summary>
    public static void RecordClosed(ScheduleState state, ScheduledRunClosed closed, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>PatchSchedule: trigger immediately, backfills, pause or unpause with notes.</summary>
    public static void ApplyPatch(ScheduleState state, SchedulePatch patch, DateTimeOffset now) => throw new NotImplementedException();

    /// <summary>UpdateSchedule: the new schedule (spec canonicalized) replaces the old; due times before
    /// <paramref name="now"/> are no longer acted on; the conflict token changes.</summary>
    public static void ApplyUpdate(ScheduleState state, UpdateScheduleRequest request, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>DescribeSchedule's answer (future action times computed from now).</summary>
    public static DescribeScheduleResponse Describe(ScheduleState state, string scheduleId, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>The list entry's info as ListSchedules shows it (kept in the schedule's visibility memo).</summary>
    public static ScheduleListInfo ListInfo(ScheduleState state, DateTimeOffset now) => throw new NotImplementedException();

    /// <summary>ListScheduleMatchingTimes: the nominal-time matches of the spec in [start, end].</summary>
    public static IReadOnlyList<Timestamp> MatchingTimes(ScheduleState state, string scheduleId, DateTimeOffset start, DateTimeOffset end) =>
        throw new NotImplementedException();
}
