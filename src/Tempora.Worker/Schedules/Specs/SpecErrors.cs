namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Builds the exceptions the frontend turns into InvalidArgument. Temporal wraps every spec problem as
/// "Invalid schedule spec: &lt;detail&gt;", so the prefix lives here once.
/// </summary>
internal static class SpecErrors
{
    public const string Prefix = "Invalid schedule spec: ";

    public const string ConflictingTimezoneNames = "conflicting timezone names";

    public static ScheduleSpecException Invalid(string detail) => new(Prefix + detail);
}

/// <summary>A parse or validation problem found below the spec level; <see cref="CompiledSpec"/> adds the prefix.</summary>
internal sealed class SpecDetailException(string detail) : Exception(detail);
