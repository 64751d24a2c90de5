using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using CalendarRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Worker.Tests.Schedules.Specs;

/// <summary>Small builders so each test reads as spec, starting point, expected times.</summary>
internal static class SpecTesting
{
    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    /// <summary>A wall time with its UTC offset spelled out, e.g. 01:30 EDT is <c>At(…, 1, 30, -4)</c>.</summary>
    public static DateTimeOffset At(int year, int month, int day, int hour, int minute, double offsetHours) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(offsetHours));

    public static Duration Minutes(double minutes) => Duration.FromTimeSpan(TimeSpan.FromMinutes(minutes));

    public static ScheduleSpec Cron(string cron, string timezone = "") =>
        new() { CronString = { cron }, TimezoneName = timezone };

    public static CalendarRange Range(int start, int end = 0, int step = 0) => new() { Start = start, End = end, Step = step };

    /// <summary>The next <paramref name="count"/> nominal times after <paramref name="after"/> (fewer if the spec ends).</summary>
    public static List<DateTimeOffset> Nominals(ScheduleSpec spec, DateTimeOffset after, int count, string seed = "")
    {
        var compiled = CompiledSpec.Compile(spec);
        var times = new List<DateTimeOffset>();
        while (times.Count < count && compiled.NextAfter(after, seed) is { } next)
        {
            times.Add(next.Nominal);
            after = next.Nominal;
        }
        return times;
    }

    public static string Refusal(ScheduleSpec spec) =>
        Assert.Throws<ScheduleSpecException>(() => CompiledSpec.Canonicalize(spec)).Message;
}
