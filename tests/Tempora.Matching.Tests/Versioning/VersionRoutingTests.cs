using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;

namespace Tempora.Matching.Tests.Versioning;

/// <summary>Where matching puts a task once the queue belongs to a worker deployment, and how it moves on a change.</summary>
public sealed class VersionRoutingTests
{
    private static readonly DeploymentVersion B1 = new("orders", "b1");
    private static readonly DeploymentVersion B2 = new("orders", "b2");
    private static readonly TaskQueueKey Tq = new("ns-id", "tq", TaskKind.Workflow);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(1);

    private readonly StaticRouting _routing = new();

    private MatchingTask Task(MatchingFixture f, string workflowId = "wf") => f.Task(Tq) with { WorkflowId = workflowId };

    [Fact]
    public async Task Dispatch_QueueInNoDeployment_GoesToTheUnversionedPollers()
    {
        using var f = new MatchingFixture(routing: _routing);
        var task = Task(f);
        f.Matching.Dispatch(task);

        Assert.Same(task, await f.PollAsync(Tq, Short));
    }

    [Fact]
    public async Task Dispatch_CurrentVersion_GoesToItsPollersOnly()
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b1"));
        var task = Task(f);
        f.Matching.Dispatch(task);

        Assert.Equal(0, f.Matching.BacklogCount(Tq));
        Assert.Equal(0, f.Matching.BacklogCount(Tq.WithVersion(B2)));
        Assert.Same(task, await f.PollAsync(Tq.WithVersion(B1), Short));
    }

    [Fact]
    public async Task Dispatch_PinnedTask_GoesToItsVersionWhateverIsCurrent()
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b1"));
        var task = Task(f) with { PinnedTo = B2 };
        f.Matching.Dispatch(task);

        Assert.Equal(0, f.Matching.BacklogCount(Tq.WithVersion(B1)));
        Assert.Same(task, await f.PollAsync(Tq.WithVersion(B2), Short));
    }

    [Fact]
    public async Task Dispatch_ThatReadTheRoutingJustBeforeAChange_EndsInTheNewTarget()
    {
        // The dispatch reads b1 as current; before its offer lands, b2 becomes current and the retarget scan runs.
        var racing = new RacingRouting(_routing);
        using var f = new MatchingFixture(routing: racing);
        _routing.Set(StaticRouting.Orders(current: "b1"));
        racing.AfterNextRead = () =>
        {
            _routing.Set(StaticRouting.Orders(current: "b2"));
            f.Matching.Retarget();
        };
        var task = Task(f);
        f.Matching.Dispatch(task);

        Assert.Equal(0, f.Matching.BacklogCount(Tq.WithVersion(B1)));
        Assert.Same(task, await f.PollAsync(Tq.WithVersion(B2), Short));
    }

    [Fact]
    public async Task Dispatch_StickyTask_StaysOnTheWorkersQueue()
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b1"));
        var task = Task(f) with { PinnedTo = B2, Sticky = true };
        f.Matching.Dispatch(task);

        Assert.Same(task, await f.PollAsync(Tq, Short));
    }

    [Fact]
    public async Task Dispatch_CurrentVersionLacksTheQueue_GoesToTheUnversionedPollers()
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b2", queues: [new("b1", "tq", TaskKind.Workflow), new("b2", "other", TaskKind.Workflow)]));
        var task = Task(f);
        f.Matching.Dispatch(task);

        Assert.Same(task, await f.PollAsync(Tq, Short));
    }

    [Theory]
    [InlineData(100f, "b2")]
    [InlineData(0f, "b1")]
    public void Dispatch_RampAtTheBounds_SendsEveryWorkflowToOneSide(float percent, string expected)
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b1", ramping: "b2", percent: percent));
        var tasks = Enumerable.Range(0, 20).Select(i => Task(f, $"wf-{i}")).ToList();
        tasks.ForEach(f.Matching.Dispatch);

        Assert.Equal(20, f.Matching.BacklogCount(Tq.WithVersion(new DeploymentVersion("orders", expected))));
    }

    [Fact]
    public void Dispatch_RampAtHalf_SplitsByTheWorkflowIdsHash()
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b1", ramping: "b2", percent: 50));
        var ids = Enumerable.Range(0, 200).Select(i => $"wf-{i}").ToList();
        foreach (var id in ids)
        {
            f.Matching.Dispatch(Task(f, id));
        }

        var toRamping = ids.Count(id => 100.0 * FarmHash.Fingerprint32(id) / 4294967296.0 < 50);
        Assert.InRange(toRamping, 60, 140); // a hash, not a coin: both sides get a fair share
        Assert.Equal(toRamping, f.Matching.BacklogCount(Tq.WithVersion(B2)));
        Assert.Equal(200 - toRamping, f.Matching.BacklogCount(Tq.WithVersion(B1)));
        // The same workflow id lands on the same side every time.
        var again = Task(f, ids[0]);
        f.Matching.Dispatch(again);
        var side = 100.0 * FarmHash.Fingerprint32(ids[0]) / 4294967296.0 < 50 ? B2 : B1;
        Assert.Equal(side == B2 ? toRamping + 1 : toRamping, f.Matching.BacklogCount(Tq.WithVersion(B2)));
    }

    [Fact]
    public async Task Retarget_NewCurrentVersion_MovesWaitingUnpinnedTasksAndKeepsPinnedOnes()
    {
        using var f = new MatchingFixture(routing: _routing);
        _routing.Set(StaticRouting.Orders(current: "b1"));
        var unpinned = Task(f, "a");
        var pinned = Task(f, "b") with { PinnedTo = B1 };
        f.Matching.Dispatch(unpinned);
        f.Matching.Dispatch(pinned);

        _routing.Set(StaticRouting.Orders(current: "b2", changed: StaticRouting.T0.AddMinutes(1)));
        f.Matching.Retarget();

        Assert.Equal(1, f.Matching.BacklogCount(Tq.WithVersion(B2)));
        Assert.Same(unpinned, await f.PollAsync(Tq.WithVersion(B2), Short));
        Assert.Equal(1, f.Matching.BacklogCount(Tq.WithVersion(B1)));
        Assert.Same(pinned, await f.PollAsync(Tq.WithVersion(B1), Short));
    }

    [Fact]
    public void Routing_QueueInTwoDeployments_FollowsTheLatestChange()
    {
        var older = StaticRouting.Orders(current: "b1", changed: StaticRouting.T0);
        var newer = new DeploymentRouting("ns-id", "billing", new DeploymentVersion("billing", "x"), null, false, 0,
            StaticRouting.T0.AddMinutes(5), [new RegisteredTaskQueue("x", "tq", TaskKind.Workflow)]);
        _routing.Set(older, newer);

        Assert.Equal(new DeploymentVersion("billing", "x"), _routing.For("ns-id", "tq", TaskKind.Workflow).Current);
        Assert.True(_routing.IsRegistered("ns-id", B1, "tq", TaskKind.Workflow));
        Assert.False(_routing.IsRegistered("ns-id", B1, "tq", TaskKind.Activity));
    }

    /// <summary>Answers from <paramref name="inner"/>, running <see cref="AfterNextRead"/> once right after a read.</summary>
    private sealed class RacingRouting(StaticRouting inner) : IDeploymentRouting
    {
        public Action? AfterNextRead { get; set; }

        public TaskQueueRouting For(string namespaceId, string taskQueue, TaskKind kind)
        {
            var answer = inner.For(namespaceId, taskQueue, kind);
            if (AfterNextRead is { } after)
            {
                AfterNextRead = null;
                after();
            }
            return answer;
        }

        public bool IsRegistered(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind) =>
            inner.IsRegistered(namespaceId, version, taskQueue, kind);
    }
}
