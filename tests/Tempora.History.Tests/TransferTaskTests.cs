using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Tests;

public class TransferTaskTests
{
    private static readonly WorkflowKey Key = new("ns", "wf", "run");

    /// <summary>The payload of a timer row as the version before transfer tasks wrote it: transfer kinds 7 to 11 and
    /// the target run in the timer's own payload.</summary>
    private sealed record PreviousTimerTaskInfo(int Kind, long EventId = 0, int Attempt = 0, TimeoutType TimeoutType = TimeoutType.Unspecified, string TimerId = "")
    {
        public string TargetNamespaceId { get; init; } = "";
        public string TargetWorkflowId { get; init; } = "";
        public string TargetRunId { get; init; } = "";
        public ParentClosePolicy Policy { get; init; }
        public HistoryEvent? Event { get; init; }
    }

    [Theory]
    [InlineData(7, TransferTaskKind.StartChild)]
    [InlineData(8, TransferTaskKind.NotifyParent)]
    [InlineData(9, TransferTaskKind.ParentClosePolicy)]
    [InlineData(10, TransferTaskKind.SignalExternal)]
    [InlineData(11, TransferTaskKind.CancelExternal)]
    public void LegacyTransferTimer_OfATransferKind_BecomesThatTransferTaskWithItsTarget(int legacyKind, TransferTaskKind kind)
    {
        var closed = new HistoryEvent { EventId = 9, EventType = EventType.WorkflowExecutionCompleted };
        var legacy = StateSerializer.SerializeValue(new PreviousTimerTaskInfo(legacyKind, 5)
        {
            TargetNamespaceId = "ns-parent",
            TargetWorkflowId = "wf-parent",
            TargetRunId = "run-parent",
            Policy = ParentClosePolicy.RequestCancel,
            Event = closed,
        });

        var info = StateSerializer.DeserializeValue<TransferTaskInfo>(LegacyTransferTimer.ToTransferTask(legacy)!);

        Assert.Equal(new TransferTaskInfo(kind, 5)
        {
            TargetNamespaceId = "ns-parent",
            TargetWorkflowId = "wf-parent",
            TargetRunId = "run-parent",
            Policy = ParentClosePolicy.RequestCancel,
            Event = closed,
        }, info);
    }

    [Theory]
    [InlineData(TimerTaskKind.UserTimer)]
    [InlineData(TimerTaskKind.WorkflowTaskTimeout)]
    [InlineData(TimerTaskKind.ActivityTimeout)]
    [InlineData(TimerTaskKind.ActivityRetry)]
    [InlineData(TimerTaskKind.WorkflowRunTimeout)]
    [InlineData(TimerTaskKind.WorkflowBackoff)]
    public void LegacyTransferTimer_OfARealTimer_StaysATimer(TimerTaskKind kind)
    {
        Assert.Null(LegacyTransferTimer.ToTransferTask(StateSerializer.SerializeValue(new TimerTaskInfo(kind, 3, 2, TimerId: "t"))));
        Assert.Null(LegacyTransferTimer.ToTransferTask("not json"u8.ToArray()));
    }

    [Fact]
    public async Task TransferQueue_ProcessesATaskWhenAdded_AndRetriesOneThatFailed()
    {
        await using var queue = new TransferQueue(TimeProvider.System, NullLogger<TransferQueue>.Instance);
        var attempts = 0;
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = DateTimeOffset.UtcNow;
        queue.Start((task, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new InvalidOperationException("the target's process is restarting");
            }
            done.TrySetResult(DateTimeOffset.UtcNow - started);
            return Task.CompletedTask;
        });

        queue.Add([new TransferTaskRecord(1, Key, [])]);
        queue.Add([new TransferTaskRecord(1, Key, [])]); // offered twice (a shard load racing a commit): queued once

        var took = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The retry waited its second; a duplicate queued would have succeeded at once, before it.
        Assert.InRange(took, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task TransferQueue_NexusRequestsWaitingForAnAnswer_DoNotHoldUpOtherTransferTasks()
    {
        await using var queue = new TransferQueue(TimeProvider.System, NullLogger<TransferQueue>.Instance);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var nexusStarted = 0;
        queue.Start(async (task, _) =>
        {
            if (StateSerializer.DeserializeValue<TransferTaskInfo>(task.Data).Kind == TransferTaskKind.InvokeNexusOperation)
            {
                Interlocked.Increment(ref nexusStarted);
                await release.Task; // a handler that has not answered yet
            }
            else
            {
                other.TrySetResult();
            }
        });

        // More waiting Nexus requests than a queue runs at once (32): once every slot holds one, a child start.
        queue.Add(Enumerable.Range(1, 40).Select(i => new TransferTaskRecord(i,
            Key, StateSerializer.SerializeValue(new TransferTaskInfo(TransferTaskKind.InvokeNexusOperation, i) { Attempt = 1 }))));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Volatile.Read(ref nexusStarted) < 32 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.Equal(32, Volatile.Read(ref nexusStarted));
        queue.Add([new TransferTaskRecord(100, Key, StateSerializer.SerializeValue(new TransferTaskInfo(TransferTaskKind.StartChild, 7)))]);

        await other.Task.WaitAsync(TimeSpan.FromSeconds(10)); // not behind the 40 waiting requests
        Assert.Equal(32, Volatile.Read(ref nexusStarted));
        release.TrySetResult();
    }
}
