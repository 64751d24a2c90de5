namespace Tempora.History.Queues;

/// <summary>
/// How much of each shard's timer table the timer queue holds in memory: the timers due within
/// <see cref="Lookahead"/>, at most <see cref="PageSize"/> rows read at a time. A shard's next page is read when what
/// is loaded reaches within half the lookahead of now, so open workflows cost rows in the database, not memory.
/// </summary>
public sealed record TimerPaging(TimeSpan Lookahead, int PageSize)
{
    /// <summary>A minute ahead, 1 000 rows a read: one small range read per shard every 30 s when idle.</summary>
    public static TimerPaging Default { get; } = new(TimeSpan.FromMinutes(1), 1000);
}
