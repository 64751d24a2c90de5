using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Rewrites a spec into the form Temporal stores and describes: calendars and cron strings become structured
/// calendars (or intervals, for "@every"), a cron string's CRON_TZ becomes the spec's zone, and the calendars and
/// intervals are checked. Exclusion calendars are converted but, as in Temporal, not range-checked.
/// </summary>
internal static class SpecCanonicalizer
{
    /// <summary>A new canonical spec (the input is not changed); throws <see cref="SpecDetailException"/>.</summary>
    public static ScheduleSpec Canonicalize(ScheduleSpec spec)
    {
        var canonical = spec.Clone();

        foreach (var calendar in canonical.Calendar)
        {
            canonical.StructuredCalendar.Add(CalendarText.ToStructured(calendar));
        }
        canonical.Calendar.Clear();
        foreach (var calendar in canonical.ExcludeCalendar)
        {
            canonical.ExcludeStructuredCalendar.Add(CalendarText.ToStructured(calendar));
        }
        canonical.ExcludeCalendar.Clear();

        AddCronStrings(canonical);

        foreach (var calendar in canonical.StructuredCalendar)
        {
            SpecValidation.CheckCalendar(calendar);
        }
        foreach (var interval in canonical.Interval)
        {
            SpecValidation.CheckInterval(interval);
        }
        return canonical;
    }

    private static void AddCronStrings(ScheduleSpec spec)
    {
        // All cron strings must agree on their zone, a string without CRON_TZ counting as the zone "".
        string? cronZone = null;
        foreach (var text in spec.CronString)
        {
            var cron = CronString.Parse(text);
            if (cronZone is not null && cron.TimeZoneName != cronZone)
            {
                throw new SpecDetailException(SpecErrors.ConflictingTimezoneNames);
            }
            cronZone = cron.TimeZoneName;
            if (cron.Calendar is not null)
            {
                spec.StructuredCalendar.Add(cron.Calendar);
            }
            if (cron.Interval is not null)
            {
                spec.Interval.Add(cron.Interval);
            }
        }
        spec.CronString.Clear();

        if (string.IsNullOrEmpty(cronZone))
        {
            return;
        }
        if ((spec.TimezoneName.Length > 0 && spec.TimezoneName != cronZone) || !spec.TimezoneData.IsEmpty)
        {
            throw new SpecDetailException(SpecErrors.ConflictingTimezoneNames);
        }
        spec.TimezoneName = cronZone;
    }
}
