using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;

namespace Tempora.History;

/// <summary>
/// The retention periods a namespace may have. Temporal refuses less than an hour for a local namespace
/// (<c>namespace.MinRetentionLocal</c>; zero would read as "keep forever") and has no upper bound short of the
/// largest proto duration; Tempora also refuses more than a century, a period no deployment means and whose
/// cut-off date (now minus retention) no calendar type can hold.
/// </summary>
public sealed record RetentionBounds
{
    public static readonly TimeSpan DefaultMinimum = TimeSpan.FromHours(1);
    public static readonly TimeSpan DefaultMaximum = TimeSpan.FromDays(100 * 365);

    /// <summary>Shortest retention a namespace may have (at least one tick: zero is always refused).</summary>
    public TimeSpan Minimum { get; init; } = DefaultMinimum;

    /// <summary>Longest retention a namespace may have.</summary>
    public TimeSpan Maximum { get; init; } = DefaultMaximum;

    /// <summary>Refuses a retention outside the bounds with Temporal's InvalidArgument text, followed by the reason.</summary>
    public void Validate(Duration retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        var reason = Check(retention);
        if (reason is not null)
        {
            throw new InvalidArgumentException($"A valid retention period is not set on request: {reason}.");
        }
    }

    private string? Check(Duration retention)
    {
        if (retention.Seconds < 0 || retention.Nanos < 0 || retention.Nanos >= 1_000_000_000)
        {
            return $"{retention.Seconds}s {retention.Nanos}ns is not a valid non-negative duration";
        }
        if (retention.Seconds > (long)Maximum.TotalSeconds)
        {
            return $"more than the maximum of {Maximum.TotalDays:0.##} days";
        }
        var value = retention.ToTimeSpan();
        if (value <= TimeSpan.Zero || value < Minimum)
        {
            return $"{value} is less than the minimum of {Minimum}";
        }
        return value > Maximum ? $"more than the maximum of {Maximum.TotalDays:0.##} days" : null;
    }
}
