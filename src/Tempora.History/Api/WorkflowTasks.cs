using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    /// <summary>What the poll response needs, captured inside the transition that started the task.</summary>
    private sealed record StartedWorkflowTask(
        WorkflowKey Key, string WorkflowType, string TaskQueue, long PreviousStartedEventId, long ScheduledEventId, long StartedEventId,
        int Attempt, DateTimeOffset ScheduledTime, DateTimeOffset StartedTime, long HistoryFrom, long HistoryToExclusive,
        IReadOnlyList<HistoryEvent> TransientEvents, IReadOnlyList<Temporalio.Api.Protocol.V1.Message> Messages,
        Dictionary<string, Temporalio.Api.Query.V1.WorkflowQuery> Queries);

    /// <summary>
    /// Called when matching hands a workflow task to a poller: records the start (WorkflowTaskStarted) and builds the
    /// poll response. Returns null when the task is stale, after dropping it.
    /// </summary>
    public async Task<PollWorkflowTaskQueueResponse?> RecordWorkflowTaskStartedAsync(
        NamespaceRecord ns, MatchingTask task, PollWorkflowTaskQueueRequest poll, CancellationToken ct)
    {
        if (task.Query is not null)
        {
            return await BuildQueryTaskAsync(ns, task, ct);
        }
        var key = new WorkflowKey(ns.Id, task.WorkflowId, task.RunId);
        StartedWorkflowTask? started;
        try
        {
            started = await UpdateAsync(key, (t, ctx) =>
            {
                var s = t.State;
                if (!s.IsOpen || s.WorkflowTask is not { IsStarted: false } pending || pending.TaskId != task.TaskId)
                {
                    return null;
                }
                var wft = t.StartWorkflowTask(task.TaskId, poll.Identity, Guid.NewGuid().ToString());
                // A sticky worker has the run cached and gets only what it has not seen (§3.5).
                return Started(t, ctx, wft, partialHistory: wft.OnStickyQueue, answeredQueries: null, answeredUpdates: null);
            }, CancellationToken.None);
        }
        catch (EntityNotFoundException)
        {
            started = null;
        }
        if (started is null)
        {
            await store.DeleteTasksAsync([], [task.TaskId], CancellationToken.None);
            return null;
        }
        return await WorkflowTaskResponseAsync(ns, started, ct);
    }

    /// <summary>What the response for a just-started workflow task needs, read inside its transition.</summary>
    private static StartedWorkflowTask Started(Transition t, ExecutionContext ctx, WorkflowTaskInfo wft, bool partialHistory,
        ICollection<string>? answeredQueries, IReadOnlySet<string>? answeredUpdates)
    {
        var s = t.State;
        var from = partialHistory ? s.LastCompletedWorkflowTaskStartedEventId + 1 : 1;
        var to = wft.IsVirtual ? s.NextEventId : wft.StartedEventId + 1;
        return new StartedWorkflowTask(t.Key, s.WorkflowType, s.TaskQueue, s.LastCompletedWorkflowTaskStartedEventId,
            wft.ScheduledEventId, wft.StartedEventId, wft.Attempt, wft.ScheduledTime, wft.StartedTime!.Value, from, to,
            t.TransientWorkflowTaskEvents(), UpdateMessages(ctx, wft.StartedEventId, answeredUpdates),
            ctx.Queries.Where(q => answeredQueries?.Contains(q.Key) != true).ToDictionary(q => q.Key, q => q.Value.Query, StringComparer.Ordinal));
    }

    /// <summary>The poll response for a started workflow task (also returned inline by a completion that asked for it).</summary>
    private async Task<PollWorkflowTaskQueueResponse> WorkflowTaskResponseAsync(NamespaceRecord ns, StartedWorkflowTask started, CancellationToken ct)
    {
        var key = started.Key;
        var history = new Temporalio.Api.History.V1.History();
        history.Events.AddRange(await ReadEventsAsync(key, started.HistoryFrom, started.HistoryToExclusive, ct));
        history.Events.AddRange(started.TransientEvents);
        return new PollWorkflowTaskQueueResponse
        {
            TaskToken = ByteString.CopyFrom(new TaskToken(ns.Id, key.WorkflowId, key.RunId, started.ScheduledEventId, started.Attempt,
                started.StartedEventId, started.StartedTime.UtcTicks, "").Serialize()),
            WorkflowExecution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
            WorkflowType = new WorkflowType { Name = started.WorkflowType },
            PreviousStartedEventId = started.PreviousStartedEventId,
            StartedEventId = started.StartedEventId,
            Attempt = started.Attempt,
            History = history,
            WorkflowExecutionTaskQueue = new TaskQueue { Name = started.TaskQueue, Kind = TaskQueueKind.Normal },
            ScheduledTime = Timestamp.FromDateTimeOffset(started.ScheduledTime),
            StartedTime = Timestamp.FromDateTimeOffset(started.StartedTime),
            Messages = { started.Messages },
            Queries = { started.Queries }, // buffered queries ride with the task (upstream's recordworkflowtaskstarted)
        };
    }

    public async Task<RespondWorkflowTaskCompletedResponse> RespondWorkflowTaskCompletedAsync(
        RespondWorkflowTaskCompletedRequest r, CancellationToken ct)
    {
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        var ns = await namespaces.GetByIdAsync(token.NamespaceId, ct);
        RespondWorkflowTaskCompletedResponse response;
        StartedWorkflowTask? next;
        try
        {
            CheckMessageSizes(r);
            (response, next) = await CompleteWorkflowTaskAsync(token, r, ns, ct);
        }
        catch (CommandValidationException invalid) when (token.Attempt > 1 && invalid.Cause != WorkflowTaskFailedCause.UnhandledCommand
            && !invalid.TerminatesWorkflow)
        {
            // Like upstream, a retried task that fails validation again is dropped rather than failed: it times out
            // and retries at the workflow task timeout's pace instead of spinning.
            throw new InvalidArgumentException($"{CauseName(invalid.Cause)}: {invalid.Message}");
        }
        catch (CommandValidationException invalid)
        {
            // The completion was discarded with the cached state; fail the task in a fresh transition (§3.3 rule 6).
            await UpdateAsync(token.Key, t =>
            {
                CheckWorkflowTaskToken(t.State, token);
                var wft = t.State.WorkflowTask!;
                t.FailWorkflowTask(e => WorkflowTaskFailed(e, wft, invalid.Cause, Transition.ServerFailure(invalid.Message), r.Identity));
                if (invalid.TerminatesWorkflow)
                {
                    t.Terminate(invalid.Message, null, "history-service");
                }
                return 0;
            }, ct);
            LogWorkflowTaskRejected(logger, token.NamespaceId, token.WorkflowId, token.RunId, invalid.Cause, invalid.Message);
            throw new InvalidArgumentException(invalid.Cause == WorkflowTaskFailedCause.UnhandledCommand
                ? "UnhandledCommand"
                : $"{CauseName(invalid.Cause)}: {invalid.Message}");
        }
        if (next is not null)
        {
            response.WorkflowTask = await WorkflowTaskResponseAsync(ns, next, ct);
        }
        return response;
    }

    /// <summary>
    /// Temporal's check of every protocol message of a completion against the blob limit (an update's rejection or
    /// response too large terminates the run). Made before any transition: a failure thrown from inside one drops the
    /// cached state, and with it a speculative task, which the failure must still be recorded on.
    /// </summary>
    private void CheckMessageSizes(RespondWorkflowTaskCompletedRequest r)
    {
        foreach (var message in r.Messages)
        {
            if (_limits.IsBlobTooLarge(message.Body))
            {
                var type = message.Body.TypeUrl[(message.Body.TypeUrl.LastIndexOf('/') + 1)..];
                throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
                    $"Message type {type} exceeds size limit.", terminatesWorkflow: true);
            }
        }
    }

    /// <summary>
    /// Applies a completion's commands. When they name a search attribute this replica's cached namespace lacks, the
    /// namespace is re-read and, if it changed, the completion applied once more: the attribute may have just been
    /// added through another replica.
    /// </summary>
    private async Task<(RespondWorkflowTaskCompletedResponse, StartedWorkflowTask?)> CompleteWorkflowTaskAsync(
        TaskToken token, RespondWorkflowTaskCompletedRequest r, NamespaceRecord ns, CancellationToken ct)
    {
        try
        {
            return await ApplyCompletionAsync(ns);
        }
        catch (CommandValidationException invalid) when (invalid.Cause == WorkflowTaskFailedCause.BadSearchAttributes)
        {
            var fresh = await namespaces.ReloadAsync(ns, ct);
            if (fresh.Equals(ns))
            {
                throw;
            }
            return await ApplyCompletionAsync(fresh);
        }

        Task<(RespondWorkflowTaskCompletedResponse, StartedWorkflowTask?)> ApplyCompletionAsync(NamespaceRecord current) =>
            UpdateAsync(token.Key, (t, ctx) =>
            {
                CheckWorkflowTaskToken(t.State, token);
                var completion = new WorkflowTaskCompletion(t, r, ctx, current.CustomSearchAttributes, _limits);
                completion.Apply();
                if (r.QueryResults.Count > 0)
                {
                    t.AfterCommit.Add(() => AnswerBufferedQueries(ctx, r.QueryResults));
                }
                // The worker asked for the next task back (upstream's bypassTaskGeneration): a task this completion
                // scheduled starts here for it, and its history continues what the worker just had.
                StartedWorkflowTask? inline = null;
                if (r.ReturnNewWorkflowTask && t.State is { IsOpen: true, WorkflowTask: { IsStarted: false, Speculative: false } })
                {
                    var wft = t.StartWorkflowTaskInline(r.Identity, Guid.NewGuid().ToString());
                    inline = Started(t, ctx, wft, partialHistory: true, answeredQueries: r.QueryResults.Keys,
                        answeredUpdates: completion.AnsweredUpdates);
                }
                return (new RespondWorkflowTaskCompletedResponse
                {
                    ResetHistoryEventId = completion.DiscardedSpeculativeTask ? t.State.NextEventId - 1 : 0,
                    ActivityTasks = { completion.EagerActivities.Select(a => ActivityTaskResponse(current, token.Key, t.State, a)) },
                }, inline);
            }, ct);
    }

    public async Task RespondWorkflowTaskFailedAsync(RespondWorkflowTaskFailedRequest r, CancellationToken ct)
    {
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        if (_limits.IsBlobTooLarge(r.Failure))
        {
            // As Temporal: the task still fails, with a server failure in place of the one too large to record.
            r.Failure = OversizeFailure(r.Failure);
        }
        await UpdateAsync(token.Key, t =>
        {
            CheckWorkflowTaskToken(t.State, token);
            var wft = t.State.WorkflowTask!;
            t.FailWorkflowTask(e =>
            {
                WorkflowTaskFailed(e, wft, r.Cause, r.Failure, r.Identity);
                // Which worker build failed it, as Temporal records it.
                e.WorkflowTaskFailedEventAttributes.BinaryChecksum = r.BinaryChecksum;
#pragma warning disable CS0612 // deprecated in the API, still sent by SDKs and recorded by Temporal
                e.WorkflowTaskFailedEventAttributes.WorkerVersion = r.WorkerVersion;
#pragma warning restore CS0612
                return e;
            });
            return 0;
        }, ct);
    }

    /// <summary>Clears stickiness so the next workflow task goes to the normal queue with full history.</summary>
    public async Task ResetStickyTaskQueueAsync(NamespaceRecord ns, WorkflowExecution execution, CancellationToken ct)
    {
        var key = await ResolveAsync(ns.Id, execution, null, ct);
        await UpdateAsync(key, t =>
        {
            if (t.State.StickyQueue is not null)
            {
                t.State.StickyQueue = null;
                t.MarkChanged();
            }
            return 0;
        }, ct);
    }

    /// <summary>
    /// Moves a workflow task that waits on a sticky queue whose worker went away (ShutdownWorker) to the normal
    /// queue at once, instead of waiting for the sticky schedule-to-start timeout.
    /// </summary>
    public async Task RedispatchFromStickyQueueAsync(MatchingTask task, CancellationToken ct)
    {
        var key = new WorkflowKey(task.Queue.NamespaceId, task.WorkflowId, task.RunId);
        try
        {
            await UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || t.State.WorkflowTask is not { IsStarted: false, OnStickyQueue: true } wft || wft.TaskId != task.TaskId)
                {
                    return 0;
                }
                t.DeleteMatchingTask(wft.TaskId);
                t.DeleteTimer(wft.TimeoutTaskId);
                t.State.StickyQueue = null;
                wft.OnStickyQueue = false;
                wft.TaskQueue = t.State.TaskQueue;
                wft.TimeoutTaskId = 0;
                wft.TaskId = t.AddMatchingTask(wft.TaskQueue, TaskKind.Workflow, wft.ScheduledEventId, wft.Attempt);
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
            // gone: nothing to move
        }
    }

    private static void CheckWorkflowTaskToken(MutableState s, TaskToken token)
    {
        if (!s.IsOpen || s.WorkflowTask is not { IsStarted: true } wft || wft.ScheduledEventId != token.ScheduledEventId
            || wft.Attempt != token.Attempt || wft.StartedEventId != token.StartedEventId || wft.StartedTime!.Value.UtcTicks != token.StartedTimeTicks)
        {
            throw new EntityNotFoundException("Workflow task not found.");
        }
    }

    private static HistoryEvent WorkflowTaskFailed(HistoryEvent e, WorkflowTaskInfo wft, WorkflowTaskFailedCause cause, Failure? failure, string identity)
    {
        e.EventType = EventType.WorkflowTaskFailed;
        e.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
        {
            ScheduledEventId = wft.ScheduledEventId,
            StartedEventId = wft.StartedEventId,
            Cause = cause,
            Failure = failure,
            Identity = identity,
        };
        return e;
    }

    /// <summary>
    /// What Temporal records in place of a failure too large to keep: a server failure naming the limit, with the
    /// original's message (cut to 64 KiB) as its cause.
    /// </summary>
    private static Failure OversizeFailure(Failure failure)
    {
        const int MaxMessage = 64 * 1024;
        var server = Transition.ServerFailure("Failure exceeds size limit.");
        server.Cause = new Failure
        {
            Message = failure.Message.Length > MaxMessage ? failure.Message[..MaxMessage] : failure.Message,
            Source = failure.Source,
        };
        return server;
    }

    /// <summary>The Go enum short name upstream puts in front of the message (e.g. BadScheduleActivityAttributes).</summary>
    private static string CauseName(WorkflowTaskFailedCause cause) => cause.ToString();

    /// <summary>Events with ids in [from, toExclusive), from the cache or (always, with <paramref name="fromStore"/>) the stored batches.</summary>
    internal async Task<List<HistoryEvent>> ReadEventsAsync(WorkflowKey key, long from, long toExclusive, CancellationToken ct,
        bool fromStore = false)
    {
        var events = new List<HistoryEvent>();
        if (from >= toExclusive)
        {
            return events;
        }
        from = Math.Max(from, 1);
        if (!fromStore && _cache.TryGetValue(key, out var ctx) && ctx.History is { } cached && toExclusive - 1 <= cached.Length)
        {
            events.AddRange(cached.AsSpan((int)from - 1, (int)(toExclusive - from)));
            return events;
        }
        foreach (var batch in await store.ReadHistoryAsync(key, from, toExclusive, ct))
        {
            foreach (var e in Temporalio.Api.History.V1.History.Parser.ParseFrom(batch.Data).Events)
            {
                if (e.EventId >= from && e.EventId < toExclusive)
                {
                    events.Add(e);
                }
            }
        }
        return events;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Workflow task of {WorkflowId}/{RunId} in namespace {NamespaceId} failed by the server: {Cause} {Detail}")]
    private static partial void LogWorkflowTaskRejected(ILogger logger, string namespaceId, string workflowId, string runId, WorkflowTaskFailedCause cause, string detail);
}
