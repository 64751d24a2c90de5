using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Core;
using Tempora.History.Queues;
using Tempora.History.Tests.Clock;
using Tempora.Persistence;

namespace Tempora.History.Tests.Queues;

/// <summary>The timer queue under a fake clock: a timer fires when the clock passes it, not before.</summary>
public sealed class TimerQueueTests : IAsyncLifetime
{
    private static readonly WorkflowKey RunA = new("ns", "wf-a", "run-a");
    private static readonly WorkflowKey RunB = new("ns", "wf-b", "run-b");

    private readonly TestClock _clock = new();
    private readonly TimerQueue _queue;
    private readonly Channel<TimerTaskRecord> _fired = Channel.CreateUnbounded<TimerTaskRecord>();
    private readonly DateTimeOffset _start;
    private Func<TimerTaskRecord, Task> _handle;

    public TimerQueueTests()
    {
        _queue = new TimerQueue(_clock, NullLogger<TimerQueue>.Instance);
        _start = _clock.GetUtcNow();
        _handle = timer =>
        {
            _fired.Writer.TryWrite(timer);
            return Task.CompletedTask;
        };
    }

    public Task InitializeAsync()
    {
        _queue.Start((timer, _) => _handle(timer), []);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _queue.DisposeAsync();

    [Fact]
    public async Task Add_TimerInTenSeconds_FiresOnlyWhenTheClockPassesIt()
    {
        _queue.Add([Timer(1, _start.AddSeconds(10))]);
        await _clock.ArmedAsync(_start.AddSeconds(10));

        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        await _clock.ArmedAsync(_start.AddSeconds(10)); // still sleeping until then
        Assert.False(_fired.Reader.TryRead(out _), "fired before its time");

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, (await NextFiredAsync("the timer at 10 s")).TaskId);
    }

    [Fact]
    public async Task Forget_ManyTimersAfterALoad_TheQueueSleepsUntilTheFirstLiveOne_NotThroughEachForgottenOne()
    {
        // A load leaves one answered timeout per workflow behind, a few milliseconds apart; all of them forgotten.
        var forgotten = Enumerable.Range(1, 50).Select(i => Timer(i, _start.AddSeconds(10).AddMilliseconds(i))).ToArray();
        _queue.Add(forgotten);
        await _clock.ArmedAsync(_start.AddSeconds(10).AddMilliseconds(1));
        _queue.Forget([.. forgotten.Select(t => t.TaskId)]);
        _queue.Add([Timer(100, _start.AddSeconds(60))]); // later than the head: no wake-up

        // One wake-up at the first forgotten timer's time, then straight to the live one.
        _clock.AdvanceTo(_start.AddSeconds(10).AddMilliseconds(1));
        await _clock.ArmedAsync(_start.AddSeconds(60));
        _clock.AdvanceTo(_start.AddSeconds(60));
        Assert.Equal(100, (await NextFiredAsync("the live timer")).TaskId);
        Assert.False(_fired.Reader.TryRead(out _), "a forgotten timer fired");
    }

    [Fact]
    public async Task Add_SeveralTimers_FireInOrderOfTimeThenTaskId()
    {
        _queue.Add([Timer(1, _start.AddSeconds(3)), Timer(2, _start.AddSeconds(1)), Timer(5, _start.AddSeconds(2)), Timer(4, _start.AddSeconds(2))]);
        await _clock.ArmedAsync(_start.AddSeconds(1));

        _clock.Advance(TimeSpan.FromSeconds(5));

        var order = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            order.Add((await NextFiredAsync($"timer {i + 1} of 4")).TaskId);
        }
        Assert.Equal([2, 4, 5, 1], order);
    }

    [Fact]
    public async Task Add_TimerEarlierThanTheHead_WakesTheQueueForIt()
    {
        _queue.Add([Timer(1, _start.AddMinutes(1))]);
        await _clock.ArmedAsync(_start.AddMinutes(1));

        _queue.Add([Timer(2, _start.AddSeconds(5))]);
        await _clock.ArmedAsync(_start.AddSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(2, (await NextFiredAsync("the earlier timer")).TaskId);
        await _clock.ArmedAsync(_start.AddMinutes(1)); // back to sleep until the later one
        Assert.False(_fired.Reader.TryRead(out _), "the later timer fired early");
    }

    [Fact]
    public async Task RemoveWhere_TimersOfARun_NeverFire()
    {
        // Same time, and the removed one first in order: had it stayed, it would fire before the other.
        _queue.Add([Timer(1, _start.AddSeconds(5), RunA), Timer(2, _start.AddSeconds(5), RunB)]);
        await _clock.ArmedAsync(_start.AddSeconds(5));

        _queue.RemoveWhere(t => t.Key == RunA);
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(2, (await NextFiredAsync("the timer kept")).TaskId);
        Assert.False(_fired.Reader.TryRead(out _), "the removed timer fired");
    }

    [Fact]
    public async Task Add_SameTimerTwice_FiresOnce()
    {
        var timer = Timer(7, _start.AddSeconds(1));
        _queue.Add([timer]);
        _queue.Add([timer]); // a shard's timers load while it already takes new ones
        _queue.Add([Timer(8, _start.AddSeconds(2))]);
        await _clock.ArmedAsync(_start.AddSeconds(1));

        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(7, (await NextFiredAsync("the timer")).TaskId);
        Assert.Equal(8, (await NextFiredAsync("the next timer")).TaskId);
    }

    [Fact]
    public async Task Handler_Fails_TimerRetriedASecondLater()
    {
        var failures = 0;
        _handle = timer =>
        {
            _fired.Writer.TryWrite(timer);
            return Interlocked.Increment(ref failures) == 1 ? throw new InvalidOperationException("database down") : Task.CompletedTask;
        };
        _queue.Add([Timer(1, _start.AddSeconds(1))]);
        await _clock.ArmedAsync(_start.AddSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await NextFiredAsync("the first attempt");

        await _clock.ArmedAsync(_start.AddSeconds(2));
        Assert.False(_fired.Reader.TryRead(out _), "retried at once");
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, (await NextFiredAsync("the retry")).TaskId);
    }

    private static TimerTaskRecord Timer(long taskId, DateTimeOffset fireTime, WorkflowKey? key = null) =>
        new(taskId, fireTime, key ?? RunA, []);

    private async Task<TimerTaskRecord> NextFiredAsync(string what)
    {
        using var patience = new CancellationTokenSource(TestClock.Patience);
        try
        {
            return await _fired.Reader.ReadAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{what} did not fire within {TestClock.Patience} of real time (clock at {_clock.GetUtcNow():O})");
        }
    }
}
