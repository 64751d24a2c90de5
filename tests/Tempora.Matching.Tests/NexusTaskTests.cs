using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Nexus;
using Tempora.Matching.Nexus;
using Temporalio.Api.Nexus.V1;

namespace Tempora.Matching.Tests;

/// <summary>Nexus tasks in matching: dispatched in memory, taken by a poller, answered by id, withdrawn at their timeout.</summary>
public sealed class NexusTaskTests
{
    private static readonly TaskQueueKey Queue = new("handler-ns-id", "nexus-tq", TaskKind.Nexus);

    private sealed class Fixture : IDisposable
    {
        public MatchingFixture Matching { get; } = new();
        public NexusTaskDispatcher Dispatcher { get; }
        public NexusTaskPoller Poller { get; }

        public Fixture()
        {
            Dispatcher = new NexusTaskDispatcher(Matching.Matching, Matching.Clock);
            Poller = new NexusTaskPoller(Matching.Matching, Matching.Clock);
        }

        public static NexusTask Task(TimeSpan timeout) => new(Queue.NamespaceId, "handler-ns", Queue.Name,
            new WorkflowKey("caller-ns-id", "caller-wf", "caller-run"), ScheduledEventId: 7,
            new Request { StartOperation = new StartOperationRequest { Service = "svc", Operation = "op" } }, timeout);

        public Task<Temporalio.Api.WorkflowService.V1.PollNexusTaskQueueResponse?> PollAsync(TimeSpan wait, CancellationToken ct = default) =>
            Poller.PollAsync(Queue, MatchingFixture.Poller(), Matching.Clock.GetUtcNow() + wait, ct);

        public static string TaskId(Temporalio.Api.WorkflowService.V1.PollNexusTaskQueueResponse polled) =>
            TaskToken.Deserialize(polled.TaskToken.Span).QueryId;

        public void Dispose() => Matching.Dispose();
    }

    private static NexusTaskOutcome Completed(string payload) => new(new Response
    {
        StartOperation = new StartOperationResponse
        {
            SyncSuccess = new StartOperationResponse.Types.Sync { Payload = new Temporalio.Api.Common.V1.Payload { Data = Google.Protobuf.ByteString.CopyFromUtf8(payload) } },
        },
    }, null);

    [Fact]
    public async Task Dispatch_PollerWaiting_SyncMatchAndTheAnswerEndsTheDispatch()
    {
        using var f = new Fixture();
        var poll = f.PollAsync(TimeSpan.FromSeconds(60));
        f.Matching.Clock.Advance(TimeSpan.FromSeconds(1));

        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        var polled = await poll.Within("the sync match");

        Assert.NotNull(polled);
        var token = TaskToken.Deserialize(polled.TaskToken.Span);
        Assert.Equal(new WorkflowKey("caller-ns-id", "caller-wf", "caller-run"), token.Key);
        Assert.Equal(7, token.ScheduledEventId);
        Assert.Equal("op", polled.Request.StartOperation.Operation);
        Assert.Equal("10s", polled.Request.Header["request-timeout"]);
        Assert.Equal("10s", polled.Request.Header["Request-Timeout"]);
        Assert.Equal(0, f.Matching.Matching.BacklogCount(Queue));

        f.Dispatcher.Complete(token.QueryId, Queue.NamespaceId, Completed("done"));
        var outcome = await dispatch.Within("the dispatch's answer");
        Assert.False(outcome.TimedOut);
        Assert.Equal("done", outcome.Response!.StartOperation.SyncSuccess.Payload.Data.ToStringUtf8());
        Assert.Equal(0, f.Dispatcher.PendingCount);
    }

    [Fact]
    public async Task Dispatch_NoPoller_WaitsInTheQueueForALaterPoll()
    {
        using var f = new Fixture();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        Assert.Equal(1, f.Matching.Matching.BacklogCount(Queue));
        f.Matching.Clock.Advance(TimeSpan.FromMilliseconds(2500));

        var polled = await f.PollAsync(TimeSpan.FromSeconds(60)).Within("the backlog poll");
        Assert.NotNull(polled);
        Assert.Equal("7.5s", polled.Request.Header["request-timeout"]);

        f.Dispatcher.Complete(Fixture.TaskId(polled), null, new NexusTaskOutcome(null, new HandlerError { ErrorType = "BAD_REQUEST" }));
        var outcome = await dispatch.Within("the dispatch's answer");
        Assert.Equal("BAD_REQUEST", outcome.HandlerError!.ErrorType);
    }

    [Fact]
    public async Task Dispatch_NobodyPolls_TimesOutAndIsWithdrawn()
    {
        using var f = new Fixture();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        f.Matching.Clock.Advance(TimeSpan.FromSeconds(9));
        await Pending.AssertStillWaitingAsync(dispatch, "a dispatch with a second left");
        f.Matching.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True((await dispatch.Within("the dispatch's timeout")).TimedOut);
        Assert.Equal(0, f.Matching.Matching.BacklogCount(Queue));
        Assert.Equal(0, f.Dispatcher.PendingCount);
        // A poll now finds nothing: the task went with its dispatch.
        var poll = f.PollAsync(TimeSpan.FromSeconds(1));
        f.Matching.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await poll.Within("the empty poll"));
    }

    [Fact]
    public async Task Answer_AfterTheTimeout_IsNotFound()
    {
        using var f = new Fixture();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        var polled = await f.PollAsync(TimeSpan.FromSeconds(60)).Within("the poll");
        f.Matching.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await dispatch.Within("the dispatch's timeout")).TimedOut);

        var late = Assert.Throws<EntityNotFoundException>(() => f.Dispatcher.Complete(Fixture.TaskId(polled!), null, Completed("late")));
        Assert.Equal("Nexus task not found or already expired", late.Message);
    }

    [Fact]
    public async Task Answer_Twice_SecondIsNotFound()
    {
        using var f = new Fixture();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        var polled = await f.PollAsync(TimeSpan.FromSeconds(60)).Within("the poll");
        f.Dispatcher.Complete(Fixture.TaskId(polled!), null, Completed("first"));
        Assert.Throws<EntityNotFoundException>(() => f.Dispatcher.Complete(Fixture.TaskId(polled!), null, Completed("second")));
        Assert.Equal("first", (await dispatch.Within("the answer")).Response!.StartOperation.SyncSuccess.Payload.Data.ToStringUtf8());
    }

    [Fact]
    public async Task Answer_NamingAnotherNamespace_IsRefusedAndTheDispatchStillWaits()
    {
        using var f = new Fixture();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        var polled = await f.PollAsync(TimeSpan.FromSeconds(60)).Within("the poll");
        Assert.Throws<InvalidArgumentException>(() => f.Dispatcher.Complete(Fixture.TaskId(polled!), "other-ns-id", Completed("x")));
        await Pending.AssertStillWaitingAsync(dispatch, "the dispatch after a refused answer");
        f.Dispatcher.Complete(Fixture.TaskId(polled!), Queue.NamespaceId, Completed("ok"));
        Assert.False((await dispatch.Within("the answer")).TimedOut);
    }

    [Fact]
    public async Task Dispatch_Cancelled_ThrowsAndLeavesNothingBehind()
    {
        using var f = new Fixture();
        using var cancel = new CancellationTokenSource();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatch.Within("the cancelled dispatch"));
        Assert.Equal(0, f.Matching.Matching.BacklogCount(Queue));
        Assert.Equal(0, f.Dispatcher.PendingCount);
    }

    [Fact]
    public async Task Poll_RecordsThePollerForDescribe_AndSkipsTheDispatchRateLimit()
    {
        using var f = new Fixture();
        var dispatch = f.Dispatcher.DispatchAsync(Fixture.Task(TimeSpan.FromSeconds(10)), CancellationToken.None);
        var polled = await f.Poller.PollAsync(Queue, new Poller("nexus-worker", "handler-ns", Sticky: false), f.Matching.Clock.GetUtcNow() + TimeSpan.FromSeconds(5),
            CancellationToken.None).Within("the poll");
        Assert.NotNull(polled);
        Assert.Equal("nexus-worker", Assert.Single(f.Matching.Matching.Pollers(Queue)).Identity);
        f.Dispatcher.Complete(Fixture.TaskId(polled), null, Completed("ok"));
        await dispatch.Within("the answer");
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(100L, "100ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(1_500_000L, "1.5ms")]
    [InlineData(9_998_000_000L, "9.998s")]
    [InlineData(10_000_000_000L, "10s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(3_723_400_000_000L, "1h2m3.4s")]
    [InlineData(-2_500_000_000L, "-2.5s")]
    public void GoDuration_WritesAsGo(long nanos, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromTicks(nanos / 100)));
}
