using Microsoft.Extensions.Time.Testing;
using Tempora.Core;

namespace Tempora.Matching.Tests;

/// <summary>A matching engine on a fake clock, and the tasks and pollers the tests offer it.</summary>
internal sealed class MatchingFixture : IDisposable
{
    /// <summary>How long a test waits in real time for what the fake clock already made due; only a failing test waits it out.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private long _nextTaskId;

    public MatchingFixture(TimeSpan? idleTime = null, Core.Versioning.IDeploymentRouting? routing = null)
    {
        Matching = new MatchingEngine(Clock, Metrics, new MatchingOptions { TaskQueueIdleTime = idleTime ?? MatchingOptions.DefaultTaskQueueIdleTime },
            routing);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public RecordingMetrics Metrics { get; } = new();

    public MatchingEngine Matching { get; }

    public static TaskQueueKey Queue(string name = "tq", TaskKind kind = TaskKind.Activity) => new("ns-id", name, kind);

    public static Poller Poller(string identity = "worker") => new(identity, "ns", Sticky: false);

    public MatchingTask Task(TaskQueueKey queue) =>
        new(Interlocked.Increment(ref _nextTaskId), queue, "wf", "run", ScheduledEventId: 5, Attempt: 1, Clock.GetUtcNow());

    public Task<MatchingTask?> PollAsync(TaskQueueKey queue, TimeSpan maxWait, double? maxTasksPerSecond = null, string identity = "worker") =>
        Matching.PollAsync(queue, Poller(identity), maxWait, CancellationToken.None, maxTasksPerSecond);

    public void Dispose() => Matching.Dispose();
}
