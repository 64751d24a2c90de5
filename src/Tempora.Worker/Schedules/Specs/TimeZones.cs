using NodaTime;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Finds a spec's zone by IANA name in NodaTime's embedded tz database (not the machine's), with the rules of Go's
/// time.LoadLocation that Temporal uses: "" and "UTC" are UTC, path-like names are refused.
/// </summary>
internal static class TimeZones
{
    /// <summary>Throws <see cref="SpecDetailException"/> with Go's text for a name it would not load.</summary>
    public static DateTimeZone ForSpec(ScheduleSpec spec)
    {
        // Temporal would read a raw tzfile here; we only carry the IANA database, so a custom zone is refused
        // rather than silently replaced by the named one.
        if (!spec.TimezoneData.IsEmpty)
        {
            throw new SpecDetailException(
                "timezone_data is not supported by this server; name the zone in timezone_name instead");
        }
        return ByName(spec.TimezoneName);
    }

    public static DateTimeZone ByName(string name)
    {
        // Go answers "Local" with the server's zone; a Temporal server runs in UTC.
        if (name is "" or "UTC" or "Local")
        {
            return DateTimeZone.Utc;
        }
        if (name.Contains("..", StringComparison.Ordinal) || name[0] == '/' || name[0] == '\\')
        {
            throw new SpecDetailException("time: invalid location name");
        }
        return DateTimeZoneProviders.Tzdb.GetZoneOrNull(name)
            ?? throw new SpecDetailException("unknown time zone " + name);
    }
}
