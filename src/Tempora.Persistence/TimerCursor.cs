namespace Tempora.Persistence;

/// <summary>
/// A position in a shard's timers, ordered by fire time then task id: a page read returns the rows after it. Task ids
/// are positive, so <c>(t, 0)</c> stands before every timer firing at <c>t</c>.
/// </summary>
public readonly record struct TimerCursor(DateTimeOffset FireTime, long TaskId) : IComparable<TimerCursor>
{
    /// <summary>Before every timer (fire times are after the Unix epoch).</summary>
    public static TimerCursor Start { get; } = new(DateTimeOffset.UnixEpoch, 0);

    public static TimerCursor Of(TimerTaskRecord timer) => new(timer.FireTime, timer.TaskId);

    public int CompareTo(TimerCursor other)
    {
        var byTime = FireTime.CompareTo(other.FireTime);
        return byTime != 0 ? byTime : TaskId.CompareTo(other.TaskId);
    }

    public static bool operator <(TimerCursor a, TimerCursor b) => a.CompareTo(b) < 0;

    public static bool operator >(TimerCursor a, TimerCursor b) => a.CompareTo(b) > 0;

    public static bool operator <=(TimerCursor a, TimerCursor b) => a.CompareTo(b) <= 0;

    public static bool operator >=(TimerCursor a, TimerCursor b) => a.CompareTo(b) >= 0;
}
