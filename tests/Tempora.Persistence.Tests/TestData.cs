using System.Security.Cryptography;
using Tempora.Core;
using Temporalio.Api.Enums.V1;

namespace Tempora.Persistence.Tests;

/// <summary>Builders for the rows the contract tests write. Payloads are random bytes: the stores treat them as opaque.</summary>
internal static class TestData
{
    public const string NamespaceId = "ns-contract";
    public const int Running = (int)WorkflowExecutionStatus.Running;
    public const int Completed = (int)WorkflowExecutionStatus.Completed;
    public const int Failed = (int)WorkflowExecutionStatus.Failed;
    public const int ContinuedAsNew = (int)WorkflowExecutionStatus.ContinuedAsNew;

    /// <summary>A fixed instant with a millisecond part, so that a store keeping only milliseconds still round-trips it.</summary>
    public static readonly DateTimeOffset T0 = new(2030, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);

    /// <summary>The fence of a process alone on the store, holding no lease (the contract tests write as one).</summary>
    public static readonly ShardFence NoLease = new(1, ShardFence.Unleased);

    public static WorkflowKey NewRun(string workflowId) => new(NamespaceId, workflowId, Guid.NewGuid().ToString());

    public static WorkflowKey NextRunOf(WorkflowKey key) => key with { RunId = Guid.NewGuid().ToString() };

    public static byte[] RandomBytes(int length = 64) => RandomNumberGenerator.GetBytes(length);

    /// <summary>Creates a run and points the current pointer at it: from nothing (null) or from <paramref name="expectedCurrentRunId"/>.</summary>
    public static ExecutionMutation Create(
        WorkflowKey key, string? expectedCurrentRunId = null, string? firstExecutionRunId = null, int status = Running, long nextEventId = 3) =>
        new(key, NoLease, 0, nextEventId, status, RandomBytes(), [], [], [], [], [], false)
        {
            CreateWithCurrent = new CurrentRunCondition(expectedCurrentRunId),
            Current = new CurrentExecutionRecord(
                key.NamespaceId, key.WorkflowId, key.RunId, $"request-{key.RunId}", status, firstExecutionRunId ?? key.RunId),
        };

    /// <summary>A transition of an existing run that expects the row at <paramref name="expectedDbVersion"/>.</summary>
    public static ExecutionMutation Update(WorkflowKey key, long expectedDbVersion, int status = Running, long nextEventId = 3) =>
        new(key, NoLease, expectedDbVersion, nextEventId, status, RandomBytes(), [], [], [], [], [], false);

    /// <summary>The current-pointer record that mirrors <paramref name="status"/> for <paramref name="key"/>.</summary>
    public static CurrentExecutionRecord CurrentFor(WorkflowKey key, int status) =>
        new(key.NamespaceId, key.WorkflowId, key.RunId, $"request-{key.RunId}", status, key.RunId);

    public static HistoryBatch Batch(long firstEventId, long lastEventId, int size = 64) => new(firstEventId, lastEventId, RandomBytes(size));

    public static TimerTaskRecord Timer(long taskId, DateTimeOffset fireTime, WorkflowKey key) => new(taskId, fireTime, key, RandomBytes(32));

    public static TransferTaskRecord Transfer(long taskId, WorkflowKey key) => new(taskId, key, RandomBytes(32));

    public static MatchingTask Matching(long taskId, WorkflowKey key, TaskKind kind, string queue = "tq", long scheduledEventId = 2, int attempt = 1) =>
        new(taskId, new TaskQueueKey(key.NamespaceId, queue, kind), key.WorkflowId, key.RunId, scheduledEventId, attempt, T0.AddSeconds(taskId));
}
