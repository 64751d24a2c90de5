namespace Tempora.History.Execution;

/// <summary>Activity timeouts after Temporal's normalisation (temporal-compat.md §4.1); zero means unlimited.</summary>
internal readonly record struct ActivityTimeouts(TimeSpan ScheduleToClose, TimeSpan ScheduleToStart, TimeSpan StartToClose, TimeSpan Heartbeat)
{
    /// <summary>Returns null when neither StartToClose nor ScheduleToClose is set (the command is then rejected).</summary>
    public static ActivityTimeouts? Normalize(TimeSpan scheduleToClose, TimeSpan scheduleToStart, TimeSpan startToClose, TimeSpan heartbeat, TimeSpan? runTimeout)
    {
        var run = runTimeout ?? TimeSpan.Zero;
        if (scheduleToClose > TimeSpan.Zero)
        {
            scheduleToStart = scheduleToStart > TimeSpan.Zero ? Min(scheduleToStart, scheduleToClose) : scheduleToClose;
            startToClose = startToClose > TimeSpan.Zero ? Min(startToClose, scheduleToClose) : scheduleToClose;
        }
        else if (startToClose > TimeSpan.Zero)
        {
            scheduleToClose = run;
            if (scheduleToStart <= TimeSpan.Zero)
            {
                scheduleToStart = run;
            }
        }
        else
        {
            return null;
        }
        if (run > TimeSpan.Zero)
        {
            scheduleToClose = scheduleToClose > TimeSpan.Zero ? Min(scheduleToClose, run) : run;
            scheduleToStart = scheduleToStart > TimeSpan.Zero ? Min(scheduleToStart, run) : run;
            startToClose = Min(startToClose, run);
        }
        heartbeat = heartbeat > TimeSpan.Zero ? Min(heartbeat, startToClose) : TimeSpan.Zero;
        return new ActivityTimeouts(scheduleToClose, scheduleToStart, startToClose, heartbeat);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
