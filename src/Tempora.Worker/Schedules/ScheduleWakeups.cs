namespace Tempora.Worker.Schedules;

/// <summary>
/// When each schedule must be looked at next: one time per schedule, the earliest asked for. Waits on the injected
/// clock, so tests drive it with a fake one.
/// </summary>
internal sealed class ScheduleWakeups(TimeProvider time)
{
    private readonly Dictionary<ScheduleKey, DateTimeOffset> _due = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _changed = new(0);

    public void At(ScheduleKey key, DateTimeOffset when)
    {
        lock (_lock)
        {
            if (_due.TryGetValue(key, out var earlier) && earlier <= when)
            {
                return;
            }
            _due[key] = when;
        }
        _changed.Release();
    }

    public void RemoveWhere(Func<ScheduleKey, bool> match)
    {
        lock (_lock)
        {
            foreach (var key in _due.Keys.Where(match).ToList())
            {
                _due.Remove(key);
            }
        }
    }

    /// <summary>The next schedule that is due, once it is (taken out of the set).</summary>
    public async Task<ScheduleKey> NextDueAsync(CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                var now = time.GetUtcNow();
                if (_due.Count > 0)
                {
                    var (key, when) = _due.MinBy(d => d.Value);
                    if (when <= now)
                    {
                        _due.Remove(key);
                        return key;
                    }
                    wait = when - now;
                }
                else
                {
                    wait = Timeout.InfiniteTimeSpan;
                }
            }
            using var woken = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var changed = _changed.WaitAsync(woken.Token);
            var delay = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, woken.Token) : Task.Delay(wait, time, woken.Token);
            await Task.WhenAny(changed, delay);
            await woken.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }
}
