namespace Tempora.Worker.Schedules;

/// <summary>The fixed numbers of Temporal 1.28's scheduler (its "tweakable policies" and frontend limits).</summary>
internal static class ScheduleLimits
{
    public static readonly TimeSpan DefaultCatchupWindow = TimeSpan.FromDays(365);

    public static readonly TimeSpan MinCatchupWindow = TimeSpan.FromSeconds(10);

    /// <summary>Future action times DescribeSchedule shows.</summary>
    public const int FutureActionCount = 10;

    /// <summary>Recent actions kept in the schedule's info (and shown by DescribeSchedule).</summary>
    public const int RecentActionCount = 10;

    /// <summary>Future action times a ListSchedules entry shows.</summary>
    public const int FutureActionCountForList = 5;

    /// <summary>Recent actions a ListSchedules entry shows.</summary>
    public const int RecentActionCountForList = 5;

    /// <summary>Buffered starts (and, separately, pending backfill requests) one schedule holds; beyond it a start
    /// is dropped and counted in buffer_dropped.</summary>
    public const int MaxBufferSize = 1000;

    /// <summary>Backfilled times buffered per look, so a long backfill does not flood the buffer at once.</summary>
    public const int BackfillsPerAdvance = 10;

    /// <summary>Times ListScheduleMatchingTimes answers at most.</summary>
    public const int MaxMatchingTimes = 1000;

    /// <summary>Bytes a pause or unpause note may hold (common.ScheduleNotesSizeLimit).</summary>
    public const int MaxNotesBytes = 1000;

    /// <summary>The conflict token of a new schedule; CreateSchedule answers it.</summary>
    public const long InitialConflictToken = 1;

    /// <summary>How long a schedule with nothing left to do lives after its last event.</summary>
    public static readonly TimeSpan IdleRetention = TimeSpan.FromDays(7);

    /// <summary>How long a schedule waits before its next look while an allow-all backfill is still being buffered.</summary>
    public static readonly TimeSpan BackfillPause = TimeSpan.FromSeconds(1);
}
