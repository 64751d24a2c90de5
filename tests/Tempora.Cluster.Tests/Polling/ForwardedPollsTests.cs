using Tempora.Cluster.Polling;

namespace Tempora.Cluster.Tests.Polling;

public sealed class ForwardedPollsTests
{
    [Fact]
    public void CallOff_WaitingPoll_EndsItsWaitButNotOthers()
    {
        var polls = new ForwardedPolls(TimeProvider.System);
        using var first = polls.Track("a", CancellationToken.None);
        using var second = polls.Track("b", CancellationToken.None);

        polls.CallOff("a");

        Assert.True(first.Token.IsCancellationRequested);
        Assert.False(second.Token.IsCancellationRequested);
    }

    [Fact]
    public void CallOff_BeforeThePollArrives_ThePollEndsAtOnce()
    {
        var polls = new ForwardedPolls(TimeProvider.System);

        polls.CallOff("late");
        using var late = polls.Track("late", CancellationToken.None);
        using var again = polls.Track("late", CancellationToken.None);

        Assert.True(late.Token.IsCancellationRequested);
        Assert.False(again.Token.IsCancellationRequested); // the call-off was used up by the poll it named
    }

    [Fact]
    public void CallerCancellation_EndsTheWait_AndADisposedPollIgnoresACallOff()
    {
        var polls = new ForwardedPolls(TimeProvider.System);
        using var caller = new CancellationTokenSource();
        var tracked = polls.Track("c", caller.Token);

        caller.Cancel();
        Assert.True(tracked.Token.IsCancellationRequested);

        tracked.Dispose();
        polls.CallOff("c"); // remembered as early, harmless
        using var next = polls.Track("c", CancellationToken.None);
        Assert.True(next.Token.IsCancellationRequested);
    }
}
