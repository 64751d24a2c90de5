using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// Everything one schedule is: what the user asked for (<see cref="Schedule"/>, memo, search attributes) and what
/// running it has produced so far (<see cref="Info"/>, the buffer, the high-water mark). Serialized into the schedule
/// row; changed only by <see cref="ScheduleMachine"/> and the Record*/Apply* methods.
/// </summary>
public sealed class ScheduleState
{
    /// <summary>The schedule as DescribeSchedule returns it: spec canonical, state, policies, action.</summary>
    public required Schedule Schedule { get; set; }

    /// <summary>Action counts, running workflows, recent actions, create/update times (future times are computed).</summary>
    public required ScheduleInfo Info { get; set; }

    public Memo? Memo { get; set; }

    public SearchAttributes? SearchAttributes { get; set; }

    /// <summary>The request id of the CreateSchedule that made it (a retry of that request is not a duplicate).</summary>
    public string CreateRequestId { get; set; } = "";

    /// <summary>Changes on every UpdateSchedule, not on firing: the conflict token DescribeSchedule hands out.</summary>
    public long ConflictToken { get; set; }

    /// <summary>The namespace and id the schedule was created with: they name its starts and seed its jitter.</summary>
    public string Namespace { get; set; } = "";

    public string ScheduleId { get; set; } = "";

    /// <summary>
    /// The high-water mark: spec times up to here have been looked at (buffered, skipped or dropped). It is an actual
    /// (jittered) time, as Temporal's LastProcessedTime is, so a time whose jitter carries it past a look is not lost.
    /// </summary>
    public DateTimeOffset LastProcessedTime { get; set; }

    /// <summary>The result of the last run that completed; handed to the next start (Temporal's last completion result).</summary>
    public Payloads? LastCompletionResult { get; set; }

    /// <summary>The failure of the last run if it failed after the last completion; handed to the next start.</summary>
    public Failure? ContinuedFailure { get; set; }

    /// <summary>Starts owed, oldest first (see <see cref="Schedules.BufferedStart"/>).</summary>
    internal List<BufferedStart> BufferedStarts { get; set; } = [];

    /// <summary>Backfill requests not yet fully buffered; each one's start time moves forward as its times are buffered.</summary>
    internal List<BackfillRequest> OngoingBackfills { get; } = [];

    /// <summary>The sequence number the next buffered start gets.</summary>
    internal long NextStartSequence { get; set; }

    /// <summary>Runs the overlap policy asked to stop, by run id (true: terminate, false: cancel), until they close.</summary>
    internal Dictionary<string, bool> StopsRequested { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts waiting in the buffer (DescribeSchedule's buffer_size).</summary>
    public int BufferSize => BufferedStarts.Count;

    public byte[] ToBytes() => ScheduleStateCodec.Encode(this);

    public static ScheduleState FromBytes(byte[] bytes) => ScheduleStateCodec.Decode(bytes);

    /// <summary>A deep copy (the state before an outcome is recorded, kept in case the outcome is not the one expected).</summary>
    public ScheduleState Clone() => FromBytes(ToBytes());
}
