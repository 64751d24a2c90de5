using Microsoft.Extensions.Time.Testing;

namespace Tempora.History.Tests.Clock;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which timers the code under test has armed. The timer queue arms its
/// wake-up on a thread of its own after a timer is added; a test that advanced the clock before that would see the
/// wake-up armed from the advanced time, late. So a test waits for the wake-up it expects (<see cref="ArmedAsync"/>)
/// before it advances the clock past it.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    /// <summary>How long a test waits in real time for work the clock made due; only a failing test waits it out.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<ArmedTimer> _timers = [];
    private TaskCompletionSource _changed = NewSignal();

    public TestClock()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ArmedTimer(this);
        lock (_lock)
        {
            _timers.Add(timer);
        }
        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(s =>
        {
            timer.Fired();
            callback(s);
        }, state, dueTime, period);
        return timer;
    }

    /// <summary>Waits until some timer is armed to fire at <paramref name="at"/>.</summary>
    public Task ArmedAsync(DateTimeOffset at) => ArmedAtAnyAsync(at);

    /// <summary>Waits until some timer is armed to fire at one of <paramref name="times"/>.</summary>
    public async Task ArmedAtAnyAsync(params DateTimeOffset[] times)
    {
        var giveUp = DateTime.UtcNow + Patience;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_timers.Any(t => t.DueAt is { } due && times.Contains(due)))
                {
                    return;
                }
                changed = _changed.Task;
            }
            var left = giveUp - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"no timer armed for {string.Join(" or ", times.Select(t => t.ToString("O")))} (now {GetUtcNow():O}); armed: {Describe()}");
            }
        }
    }

    /// <summary>Moves the clock to <paramref name="at"/>, firing what falls due on the way.</summary>
    public void AdvanceTo(DateTimeOffset at) => Advance(at - GetUtcNow());

    private string Describe()
    {
        lock (_lock)
        {
            var due = _timers.Where(t => t.DueAt is not null).Select(t => t.DueAt!.Value.ToString("O")).ToList();
            return due.Count == 0 ? "none" : string.Join(", ", due);
        }
    }

    private void Update(ArmedTimer timer, Func<DateTimeOffset?, DateTimeOffset?> dueAt, bool disposed = false)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            timer.DueAt = dueAt(timer.DueAt);
            if (disposed)
            {
                _timers.Remove(timer);
            }
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A fake timer and when it fires next (null: not armed).</summary>
    private sealed class ArmedTimer(TestClock clock) : ITimer
    {
        private TimeSpan _period;

        public ITimer? Inner { get; set; }

        /// <summary>Read and written under the clock's lock.</summary>
        public DateTimeOffset? DueAt { get; set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            var now = clock.GetUtcNow();
            clock.Update(this, _ => dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime);
        }

        public void Fired() =>
            clock.Update(this, due => _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : due + _period);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            Inner?.Dispose();
            clock.Update(this, _ => null, disposed: true);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
