using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    private sealed record HistorySnapshot(bool Open, long NextEventId, Task Changed, IReadOnlyList<HistoryEvent> Transient);

    /// <summary>
    /// Pages through a run's history. With wait_new_event the last page of an open run keeps a token and a call with
    /// it waits for news up to <paramref name="maxWait"/>; with the close-event filter only the close event is
    /// returned, and an open run answers an empty page with a token so the client asks again (§6.3).
    /// </summary>
    public async Task<GetWorkflowExecutionHistoryResponse> GetWorkflowExecutionHistoryAsync(
        NamespaceRecord ns, GetWorkflowExecutionHistoryRequest r, bool appendTransientEvents, TimeSpan maxWait, CancellationToken ct)
    {
        var key = await ResolveAsync(ns.Id, r.Execution, null, ct);
        var token = HistoryPageToken.Parse(r.NextPageToken);
        if (token is not null)
        {
            if (!string.IsNullOrEmpty(r.Execution.RunId) && token.RunId != key.RunId)
            {
                throw new InvalidArgumentException("Invalid NextPageToken: it belongs to another run.");
            }
            key = key with { RunId = token.RunId };
        }
        var snapshot = await SnapshotAsync(key, ct);
        var response = new GetWorkflowExecutionHistoryResponse { History = new Temporalio.Api.History.V1.History() };

        if (r.HistoryEventFilterType == HistoryEventFilterType.CloseEvent)
        {
            if (snapshot.Open && r.WaitNewEvent)
            {
                snapshot = await WaitForChangeAsync(key, snapshot, s => !s.Open, maxWait, ct);
            }
            if (!snapshot.Open)
            {
                response.History.Events.AddRange(await ReadEventsAsync(key, snapshot.NextEventId - 1, snapshot.NextEventId, ct));
            }
            else if (r.WaitNewEvent)
            {
                response.NextPageToken = new HistoryPageToken(key.RunId, snapshot.NextEventId).ToByteString();
            }
            return response;
        }

        var from = token?.NextEventId ?? 1;
        if (from >= snapshot.NextEventId && snapshot.Open && r.WaitNewEvent)
        {
            snapshot = await WaitForChangeAsync(key, snapshot, s => s.NextEventId > from || !s.Open, maxWait, ct);
        }
        var pageSize = r.MaximumPageSize > 0 ? Math.Min(r.MaximumPageSize, HistoryLimits.HistoryMaxPageSize) : HistoryLimits.HistoryMaxPageSize;
        var to = Math.Min(snapshot.NextEventId, from + pageSize);
        response.History.Events.AddRange(await ReadEventsAsync(key, from, to, ct));
        if (to < snapshot.NextEventId || (snapshot.Open && r.WaitNewEvent))
        {
            response.NextPageToken = new HistoryPageToken(key.RunId, to).ToByteString();
        }
        if (to == snapshot.NextEventId && appendTransientEvents)
        {
            response.History.Events.AddRange(snapshot.Transient);
        }
        return response;
    }

    public async Task<GetWorkflowExecutionHistoryReverseResponse> GetWorkflowExecutionHistoryReverseAsync(
        NamespaceRecord ns, GetWorkflowExecutionHistoryReverseRequest r, CancellationToken ct)
    {
        var key = await ResolveAsync(ns.Id, r.Execution, null, ct);
        var token = HistoryPageToken.Parse(r.NextPageToken);
        if (token is not null)
        {
            if (!string.IsNullOrEmpty(r.Execution.RunId) && token.RunId != key.RunId)
            {
                throw new InvalidArgumentException("Invalid NextPageToken: it belongs to another run.");
            }
            key = key with { RunId = token.RunId };
        }
        var snapshot = await SnapshotAsync(key, ct);
        var end = token?.NextEventId ?? snapshot.NextEventId;
        var pageSize = r.MaximumPageSize > 0 ? Math.Min(r.MaximumPageSize, HistoryLimits.HistoryMaxPageSize) : HistoryLimits.HistoryMaxPageSize;
        var start = Math.Max(1, end - pageSize);
        var events = await ReadEventsAsync(key, start, end, ct);
        events.Reverse();
        var response = new GetWorkflowExecutionHistoryReverseResponse { History = new Temporalio.Api.History.V1.History() };
        response.History.Events.AddRange(events);
        if (start > 1)
        {
            response.NextPageToken = new HistoryPageToken(key.RunId, start).ToByteString();
        }
        return response;
    }

    private Task<HistorySnapshot> SnapshotAsync(WorkflowKey key, CancellationToken ct) => ReadAsync(key, (s, ctx) =>
        new HistorySnapshot(s.IsOpen, s.NextEventId, ctx.Changed.Task, s.IsOpen
            ? new Execution.Transition(s, time.GetUtcNow(), taskIds, dispatcher).TransientWorkflowTaskEvents()
            : []), ct);

    private async Task<HistorySnapshot> WaitForChangeAsync(WorkflowKey key, HistorySnapshot snapshot, Func<HistorySnapshot, bool> done,
        TimeSpan maxWait, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(maxWait);
        try
        {
            while (!done(snapshot))
            {
                await snapshot.Changed.WaitAsync(timeout.Token);
                if (!IsServedHere(key))
                {
                    // The shard moved to another process while this waited: the client's retry reaches the new owner,
                    // which is where the run's next events are written.
                    throw new ShardUnavailableException(Shards.Of(key.NamespaceId, key.WorkflowId, ownership.Count));
                }
                snapshot = await SnapshotAsync(key, ct);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // waited long enough: answer with what there is
        }
        return snapshot;
    }

    public async Task<DescribeWorkflowExecutionResponse> DescribeWorkflowExecutionAsync(
        NamespaceRecord ns, DescribeWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await ResolveAsync(ns.Id, r.Execution, null, ct);
        return await ReadAsync(key, (s, _) =>
        {
            var info = new WorkflowExecutionInfo
            {
                Execution = new WorkflowExecution { WorkflowId = s.WorkflowId, RunId = s.RunId },
                Type = new WorkflowType { Name = s.WorkflowType },
                StartTime = Timestamp.FromDateTimeOffset(s.StartTime),
                ExecutionTime = Timestamp.FromDateTimeOffset(s.ExecutionTime),
                CloseTime = s.CloseTime is { } close ? Timestamp.FromDateTimeOffset(close) : null,
                Status = s.Status,
                HistoryLength = s.NextEventId - 1,
                Memo = s.Memo ?? new Memo(),
                SearchAttributes = s.SearchAttributes ?? new SearchAttributes(),
                TaskQueue = s.TaskQueue,
                StateTransitionCount = s.StateTransitionCount,
                HistorySizeBytes = s.HistorySizeBytes,
                FirstRunId = s.FirstExecutionRunId,
                ExecutionDuration = s.CloseTime is { } c ? Duration.FromTimeSpan(c - s.ExecutionTime) : null,
            };
            var response = new DescribeWorkflowExecutionResponse
            {
                ExecutionConfig = new WorkflowExecutionConfig
                {
                    TaskQueue = new TaskQueue { Name = s.TaskQueue, Kind = TaskQueueKind.Normal },
                    WorkflowExecutionTimeout = Duration.FromTimeSpan(s.ExecutionTimeout ?? TimeSpan.Zero),
                    WorkflowRunTimeout = Duration.FromTimeSpan(s.RunTimeout ?? TimeSpan.Zero),
                    DefaultWorkflowTaskTimeout = Duration.FromTimeSpan(s.WorkflowTaskTimeout),
                    UserMetadata = s.UserMetadata,
                },
                WorkflowExecutionInfo = info,
            };
            foreach (var a in s.Activities.Values.OrderBy(a => a.ScheduledEventId))
            {
                response.PendingActivities.Add(new PendingActivityInfo
                {
                    ActivityId = a.ActivityId,
                    ActivityType = new ActivityType { Name = a.ActivityType },
                    State = a.CancelRequested ? PendingActivityState.CancelRequested
                        : a.IsStarted ? PendingActivityState.Started : PendingActivityState.Scheduled,
                    HeartbeatDetails = a.HeartbeatDetails,
                    LastHeartbeatTime = a.LastHeartbeatTime is { } hb ? Timestamp.FromDateTimeOffset(hb) : null,
                    LastStartedTime = a.StartedTime is { } st ? Timestamp.FromDateTimeOffset(st) : null,
                    Attempt = a.Attempt,
                    MaximumAttempts = a.RetryPolicy.MaximumAttempts,
                    ScheduledTime = Timestamp.FromDateTimeOffset(a.CurrentAttemptScheduledTime),
                    ExpirationTime = a.ScheduleToCloseTimeout > TimeSpan.Zero ? Timestamp.FromDateTimeOffset(a.ScheduledTime + a.ScheduleToCloseTimeout) : null,
                    LastFailure = a.LastFailure,
                    LastWorkerIdentity = a.LastWorkerIdentity,
                    NextAttemptScheduleTime = !a.IsStarted && a.TaskId == 0 ? Timestamp.FromDateTimeOffset(a.CurrentAttemptScheduledTime) : null,
                });
            }
            foreach (var child in s.Children.Values.OrderBy(c => c.InitiatedEventId))
            {
                response.PendingChildren.Add(new PendingChildExecutionInfo
                {
                    WorkflowId = child.Initiated.WorkflowId,
                    RunId = child.RunId,
                    WorkflowTypeName = child.Initiated.WorkflowType.Name,
                    InitiatedId = child.InitiatedEventId,
                    ParentClosePolicy = child.Initiated.ParentClosePolicy,
                });
            }
            if (s.Parent is { } parent)
            {
                info.ParentNamespaceId = parent.NamespaceId;
                info.ParentExecution = new WorkflowExecution { WorkflowId = parent.WorkflowId, RunId = parent.RunId };
            }
            info.RootExecution = s.Root;
            if (s.WorkflowTask is { } wft)
            {
                response.PendingWorkflowTask = new PendingWorkflowTaskInfo
                {
                    State = wft.IsStarted ? PendingWorkflowTaskState.Started : PendingWorkflowTaskState.Scheduled,
                    ScheduledTime = Timestamp.FromDateTimeOffset(wft.ScheduledTime),
                    OriginalScheduledTime = Timestamp.FromDateTimeOffset(wft.ScheduledTime),
                    StartedTime = wft.StartedTime is { } ws ? Timestamp.FromDateTimeOffset(ws) : null,
                    Attempt = wft.Attempt,
                };
            }
            return response;
        }, ct);
    }

    /// <summary>A history page token: the run and the next event id to read. Opaque to clients.</summary>
    private sealed record HistoryPageToken(string RunId, long NextEventId)
    {
        private const byte Version = 1;

        public ByteString ToByteString()
        {
            var run = Encoding.UTF8.GetBytes(RunId);
            var bytes = new byte[1 + 8 + run.Length];
            bytes[0] = Version;
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), NextEventId);
            run.CopyTo(bytes, 9);
            return ByteString.CopyFrom(bytes);
        }

        public static HistoryPageToken? Parse(ByteString token)
        {
            if (token.IsEmpty)
            {
                return null;
            }
            var span = token.Span;
            if (span.Length < 10 || span[0] != Version)
            {
                throw new InvalidArgumentException("Invalid NextPageToken.");
            }
            var runId = Encoding.UTF8.GetString(span[9..]);
            var next = BinaryPrimitives.ReadInt64LittleEndian(span[1..]);
            if (!Guid.TryParse(runId, out _) || next < 1)
            {
                throw new InvalidArgumentException("Invalid NextPageToken.");
            }
            return new HistoryPageToken(runId, next);
        }
    }
}
