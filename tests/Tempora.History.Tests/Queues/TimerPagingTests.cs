using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Core;
using Tempora.History.Queues;
using Tempora.History.Tests.Clock;
using Tempora.Persistence;

namespace Tempora.History.Tests.Queues;

/// <summary>
/// The timer queue reading a shard's timers page by page from a table (a list here, read as the stores read it), under
/// a fake clock: a minute ahead, two rows a read. Firing a timer deletes its row, as the timer's transition does.
/// </summary>
public sealed class TimerPagingTests : IAsyncLifetime
{
    private static readonly WorkflowKey RunA = new("ns", "wf-a", "run-a"); // shard 1
    private static readonly WorkflowKey RunB = new("ns", "wf-b", "run-b"); // shard 2

    private readonly TestClock _clock = new();
    private readonly List<TimerTaskRecord> _table = [];
    private readonly Channel<TimerTaskRecord> _fired = Channel.CreateUnbounded<TimerTaskRecord>();
    private readonly DateTimeOffset _start;
    private TimerQueue _queue;

    public TimerPagingTests()
    {
        _start = _clock.GetUtcNow();
        _queue = NewQueue();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _queue.DisposeAsync();

    [Fact]
    public async Task Acquire_TimerPastTheLookahead_StaysInTheTableUntilItsPageIsRead()
    {
        Stored(Timer(1, _start.AddSeconds(10)), Timer(2, _start.AddSeconds(100)));
        await _queue.AcquireAsync([1], CancellationToken.None);
        Assert.Equal(1, _queue.Count);

        await AdvanceToAsync(_start.AddSeconds(10));
        Assert.Equal(1, (await NextFiredAsync("the timer at 10 s")).TaskId);
        await AdvanceToAsync(_start.AddSeconds(30)); // half the lookahead before the cursor: reads up to 90 s, nothing
        await AdvanceToAsync(_start.AddSeconds(60)); // reads up to 120 s: the timer at 100 s
        await AdvanceToAsync(_start.AddSeconds(100));

        Assert.Equal(2, (await NextFiredAsync("the timer at 100 s")).TaskId);
    }

    [Fact]
    public async Task Acquire_MoreOverdueTimersThanAPage_AllFireInOrder()
    {
        Stored([.. Enumerable.Range(1, 7).Select(i => Timer(i, _start.AddSeconds(i - 10)))]);

        await _queue.AcquireAsync([1], CancellationToken.None);

        var order = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            order.Add((await NextFiredAsync($"overdue timer {i + 1} of 7")).TaskId);
        }
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], order);
    }

    [Fact]
    public async Task Add_TimerPastTheCursor_NotHeldButReadLater()
    {
        await _queue.AcquireAsync([1], CancellationToken.None);

        Commit(Timer(7, _start.AddSeconds(90)), Timer(8, _start.AddSeconds(20)));
        Assert.Equal(1, _queue.Count); // only the one within the lookahead

        await AdvanceToAsync(_start.AddSeconds(20));
        Assert.Equal(8, (await NextFiredAsync("the timer within the lookahead")).TaskId);
        await AdvanceToAsync(_start.AddSeconds(30));
        await AdvanceToAsync(_start.AddSeconds(60));
        await AdvanceToAsync(_start.AddSeconds(90));
        Assert.Equal(7, (await NextFiredAsync("the timer added past the cursor")).TaskId);
    }

    [Fact]
    public async Task Release_ThenAcquireAfterItsTime_OverdueTimerFires()
    {
        Stored(Timer(1, _start.AddSeconds(10), RunA), Timer(2, _start.AddSeconds(20), RunB));
        await _queue.AcquireAsync([1, 2], CancellationToken.None);

        _queue.Release([1]);
        Assert.Equal(1, _queue.Count);
        await AdvanceToAsync(_start.AddSeconds(20));
        Assert.Equal(2, (await NextFiredAsync("the timer of the shard kept")).TaskId);
        Assert.False(_fired.Reader.TryRead(out _), "a timer of the released shard fired");

        await _queue.AcquireAsync([1], CancellationToken.None);
        Assert.Equal(1, (await NextFiredAsync("the overdue timer of the shard taken back")).TaskId);
    }

    [Fact]
    public async Task Restart_OverdueTimers_FireFromTheTable()
    {
        Stored(Timer(1, _start.AddSeconds(10)), Timer(2, _start.AddSeconds(70)));
        await _queue.DisposeAsync(); // the process stops before either fires
        _clock.AdvanceTo(_start.AddSeconds(80));

        _queue = NewQueue();
        await _queue.AcquireAsync([1], CancellationToken.None);

        Assert.Equal(1, (await NextFiredAsync("the first overdue timer")).TaskId);
        Assert.Equal(2, (await NextFiredAsync("the second overdue timer")).TaskId);
    }

    [Fact]
    public async Task Forget_TimerWhoseRowACommitDeleted_DoesNotFire_OthersDo()
    {
        await _queue.AcquireAsync([1], CancellationToken.None);
        Commit(Timer(3, _start.AddSeconds(10)), Timer(4, _start.AddSeconds(20)));

        // The workflow task the first one timed was answered: its transition deleted the row.
        lock (_table)
        {
            _table.RemoveAll(t => t.TaskId == 3);
        }
        _queue.Forget([3]);
        Assert.Equal(1, _queue.Count);

        // The queue sleeps until the forgotten timer if it chose its wait before the Forget, else straight until the
        // next one: it drops forgotten timers at the head instead of waking for them.
        await _clock.ArmedAtAnyAsync(_start.AddSeconds(10), _start.AddSeconds(20));
        _clock.AdvanceTo(_start.AddSeconds(10));
        await AdvanceToAsync(_start.AddSeconds(20));
        Assert.Equal(4, (await NextFiredAsync("the timer still armed")).TaskId);
        Assert.False(_fired.Reader.TryRead(out _), "the forgotten timer fired");
    }

    private TimerQueue NewQueue()
    {
        var queue = new TimerQueue(_clock, NullLogger<TimerQueue>.Instance);
        queue.Start((timer, _) =>
        {
            lock (_table)
            {
                _table.RemoveAll(t => t.TaskId == timer.TaskId);
            }
            _fired.Writer.TryWrite(timer);
            return Task.CompletedTask;
        }, []);
        queue.StartPaging(ReadPage, ShardOf, new TimerPaging(TimeSpan.FromMinutes(1), 2));
        return queue;
    }

    private static int ShardOf(WorkflowKey key) => key == RunB ? 2 : 1;

    private Task<IReadOnlyList<TimerTaskRecord>> ReadPage(int shard, TimerCursor after, DateTimeOffset before, int limit, CancellationToken ct)
    {
        lock (_table)
        {
            return Task.FromResult<IReadOnlyList<TimerTaskRecord>>([.. _table
                .Where(t => ShardOf(t.Key) == shard && TimerCursor.Of(t) > after && t.FireTime < before)
                .OrderBy(TimerCursor.Of)
                .Take(limit)]);
        }
    }

    /// <summary>Timer rows written before the shard was taken (or the process started).</summary>
    private void Stored(params TimerTaskRecord[] timers)
    {
        lock (_table)
        {
            _table.AddRange(timers);
        }
    }

    /// <summary>Writes timer rows, then hands them to the queue, as a transition's commit does.</summary>
    private void Commit(params TimerTaskRecord[] timers)
    {
        Stored(timers);
        _queue.Add(timers);
    }

    /// <summary>Waits until the queue or its pager sleeps until <paramref name="at"/>, then moves the clock there.</summary>
    private async Task AdvanceToAsync(DateTimeOffset at)
    {
        await _clock.ArmedAsync(at);
        _clock.AdvanceTo(at);
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
