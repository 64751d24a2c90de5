using Temporalio.Api.Common.V1;
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

    public byte[] ToBytes() => throw new NotImplementedException();

    public static ScheduleState FromBytes(byte[] bytes) => throw new NotImplementedException();
}
