using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>A schedule spec ready to answer "when next?" (calendars, intervals, exclusions, bounds, jitter, zone).</summary>
public sealed class CompiledSpec
{
    private CompiledSpec()
    {
    }

    /// <summary>
    /// Turns cron strings and calendar specs into structured calendars, as Temporal stores and describes a spec, and
    /// checks everything; throws <see cref="ScheduleSpecException"/> with Temporal's message on bad input.
    /// </summary>
    public static ScheduleSpec Canonicalize(ScheduleSpec spec) => throw new NotImplementedException();

    /// <summary>Compiles a canonical spec (<see cref="Canonicalize"/>); throws <see cref="ScheduleSpecException"/>.</summary>
    public static CompiledSpec Compile(ScheduleSpec canonical) => throw new NotImplementedException();

    /// <summary>
    /// The first due time whose nominal time is strictly after <paramref name="after"/>, or null when there is none
    /// (past the end time, or a spec that matches nothing). Jitter is derived from <paramref name="jitterSeed"/> and
    /// the nominal time, so the same seed always gives the same actual time.
    /// </summary>
    public ScheduleTime? NextAfter(DateTimeOffset after, string jitterSeed) => throw new NotImplementedException();
}
