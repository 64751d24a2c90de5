using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

public static partial class ScheduleMachine
{
    /// <summary>PatchSchedule: trigger immediately, backfills, pause or unpause with notes.</summary>
    /// <remarks>An empty pause or unpause note means "no change", as in Temporal (the SDKs fill in their own default
    /// notes before sending). Throws <see cref="ScheduleRequestException"/> for notes over the limit.</remarks>
    public static void ApplyPatch(ScheduleState state, SchedulePatch patch, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(patch);
        ScheduleRequestChecks.CheckPatch(patch);
        Patch(state, patch, now);
    }

    /// <summary>UpdateSchedule: the new schedule (spec canonicalized) replaces the old; due times before
    /// <paramref name="now"/> are no longer acted on; the conflict token changes.</summary>
    /// <remarks>
    /// The request is checked first (<see cref="ScheduleRequestException"/>, <see cref="ScheduleSpecException"/>). A
    /// request whose conflict token is set and is not the current one changes nothing, as Temporal's scheduler drops
    /// it (<see cref="IsCurrentConflictToken"/> lets the caller tell). Info (counts, running workflows, recent
    /// actions) is kept; search attributes and memo are replaced when the request has them (an empty set clears them).
    /// </remarks>
    public static void ApplyUpdate(ScheduleState state, UpdateScheduleRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ScheduleRequestChecks.CheckStartWorkflow(request.Schedule?.Action?.StartWorkflow);
        var schedule = request.Schedule?.Clone() ?? new Schedule();
        schedule.Spec = CompiledSpec.Canonicalize(schedule.Spec ?? new ScheduleSpec());
        if (!IsCurrentConflictToken(state, request.ConflictToken))
        {
            return;
        }
        FillDefaults(schedule);
        state.Schedule = schedule;
        if (request.SearchAttributes is not null)
        {
            state.SearchAttributes = request.SearchAttributes.Clone();
        }
        if (request.Memo is not null)
        {
            // Newer than 1.28's API: replaced when given, as the search attributes are.
            state.Memo = request.Memo.Clone();
        }
        // Due times whose actual time is before this are skipped (BufferDueTimes), so the new spec only acts from now.
        state.Info.UpdateTime = Timestamp.FromDateTimeOffset(now);
        state.ConflictToken++;
    }

    /// <summary>Whether <paramref name="token"/> (as DescribeSchedule handed it out; empty or zero: none) allows a change now.</summary>
    public static bool IsCurrentConflictToken(ScheduleState state, ByteString? token)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (token is null || token.Length < sizeof(long))
        {
            return true;
        }
        var value = BinaryPrimitives.ReadInt64BigEndian(token.Span);
        return value == 0 || value == state.ConflictToken;
    }

    /// <summary>The conflict token as the API carries it: eight bytes, big-endian.</summary>
    public static ByteString ConflictTokenBytes(long token)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, token);
        return ByteString.CopyFrom(bytes);
    }

    private static void Patch(ScheduleState state, SchedulePatch patch, DateTimeOffset now)
    {
        if (patch.TriggerImmediately is { } trigger)
        {
            AddStart(state, now, now, trigger.OverlapPolicy, manual: true);
        }
        foreach (var request in patch.BackfillRequest)
        {
            if (state.OngoingBackfills.Count >= ScheduleLimits.MaxBufferSize)
            {
                state.Info.BufferDropped++;
                continue;
            }
            var backfill = request.Clone();
            // The start time is inclusive: a time matching it exactly is backfilled too.
            var start = backfill.StartTime?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;
            if (start > DateTimeOffset.MinValue.AddMilliseconds(1))
            {
                start = start.AddMilliseconds(-1);
            }
            backfill.StartTime = Timestamp.FromDateTimeOffset(start);
            state.OngoingBackfills.Add(backfill);
        }
        if (patch.Pause.Length > 0)
        {
            state.Schedule.State.Paused = true;
            state.Schedule.State.Notes = patch.Pause;
            state.ConflictToken++;
        }
        if (patch.Unpause.Length > 0)
        {
            state.Schedule.State.Paused = false;
            state.Schedule.State.Notes = patch.Unpause;
            state.ConflictToken++;
        }
    }
}
