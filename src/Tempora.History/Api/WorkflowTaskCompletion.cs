using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

/// <summary>
/// Applies one RespondWorkflowTaskCompleted to a run: WorkflowTaskCompleted, then one or more events per command in
/// the order given, then the buffered events, then the next workflow task if one is needed (temporal-compat.md §3.3).
/// </summary>
internal sealed class WorkflowTaskCompletion(Transition t, RespondWorkflowTaskCompletedRequest request)
{
    private static readonly TimeSpan DefaultStickyTimeout = TimeSpan.FromSeconds(10);
    private long _completedEventId;

    public void Apply()
    {
        var commands = request.Commands;
        for (var i = 0; i < commands.Count - 1; i++)
        {
            if (IsCloseCommand(commands[i].CommandType))
            {
                throw new InvalidArgumentException(
                    $"invalid command sequence: {commands[i].CommandType} must be the last command.");
            }
        }
        var closes = commands.Count > 0 && IsCloseCommand(commands[^1].CommandType);
        if (closes && t.State.BufferedEvents.Count > 0)
        {
            // New events arrived while the worker decided to close: let it see them first (§3.3 rule 7).
            throw new CommandValidationException(WorkflowTaskFailedCause.UnhandledCommand, "UnhandledCommand");
        }

        var wft = t.State.WorkflowTask!;
        _completedEventId = t.CompleteWorkflowTask(e =>
        {
            e.WorkflowTaskCompletedEventAttributes = new WorkflowTaskCompletedEventAttributes
            {
                ScheduledEventId = wft.ScheduledEventId,
                StartedEventId = wft.StartedEventId,
                Identity = request.Identity,
                BinaryChecksum = request.BinaryChecksum,
                SdkMetadata = request.SdkMetadata,
                MeteringMetadata = request.MeteringMetadata,
                WorkerVersion = request.WorkerVersionStamp,
            };
            return e;
        }).EventId;

        if (request.StickyAttributes?.WorkerTaskQueue is { Name.Length: > 0 } sticky)
        {
            t.State.StickyQueue = sticky.Name;
            var timeout = request.StickyAttributes.ScheduleToStartTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
            t.State.StickyScheduleToStartTimeout = timeout > TimeSpan.Zero ? timeout : DefaultStickyTimeout;
        }
        else
        {
            t.State.StickyQueue = null;
        }

        t.DeferWorkflowTask = true;
        foreach (var command in commands)
        {
            Apply(command);
            if (!t.State.IsOpen)
            {
                return;
            }
        }
        t.DeferWorkflowTask = false;
        var flushed = t.FlushBufferedEvents();
        if (request.ForceCreateNewWorkflowTask || flushed > 0 || t.WorkflowTaskNeeded)
        {
            t.ScheduleWorkflowTask();
        }
    }

    private static bool IsCloseCommand(CommandType type) => type is CommandType.CompleteWorkflowExecution
        or CommandType.FailWorkflowExecution or CommandType.CancelWorkflowExecution or CommandType.ContinueAsNewWorkflowExecution;

    private void Apply(Command command)
    {
        switch (command.CommandType)
        {
            case CommandType.ScheduleActivityTask:
                ScheduleActivity(command.ScheduleActivityTaskCommandAttributes);
                break;
            case CommandType.RequestCancelActivityTask:
                RequestCancelActivity(command.RequestCancelActivityTaskCommandAttributes);
                break;
            case CommandType.StartTimer:
                StartTimer(command.StartTimerCommandAttributes);
                break;
            case CommandType.CancelTimer:
                CancelTimer(command.CancelTimerCommandAttributes);
                break;
            case CommandType.CompleteWorkflowExecution:
                var complete = command.CompleteWorkflowExecutionCommandAttributes;
                CheckPayload(complete?.Result, WorkflowTaskFailedCause.BadCompleteWorkflowExecutionAttributes);
                var completed = Event(EventType.WorkflowExecutionCompleted, command);
                completed.WorkflowExecutionCompletedEventAttributes = new WorkflowExecutionCompletedEventAttributes
                {
                    Result = complete?.Result,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.CloseByCommand(completed, WorkflowExecutionStatus.Completed);
                break;
            case CommandType.FailWorkflowExecution:
                var fail = command.FailWorkflowExecutionCommandAttributes;
                CheckPayload(fail?.Failure, WorkflowTaskFailedCause.BadFailWorkflowExecutionAttributes);
                var failed = Event(EventType.WorkflowExecutionFailed, command);
                failed.WorkflowExecutionFailedEventAttributes = new WorkflowExecutionFailedEventAttributes
                {
                    Failure = fail?.Failure,
                    RetryState = RetryState.RetryPolicyNotSet,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.CloseByCommand(failed, WorkflowExecutionStatus.Failed);
                break;
            case CommandType.CancelWorkflowExecution:
                var cancel = command.CancelWorkflowExecutionCommandAttributes;
                var canceled = Event(EventType.WorkflowExecutionCanceled, command);
                canceled.WorkflowExecutionCanceledEventAttributes = new WorkflowExecutionCanceledEventAttributes
                {
                    Details = cancel?.Details,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.CloseByCommand(canceled, WorkflowExecutionStatus.Canceled);
                break;
            case CommandType.RecordMarker:
                var marker = command.RecordMarkerCommandAttributes;
                if (string.IsNullOrEmpty(marker?.MarkerName))
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadRecordMarkerAttributes, "MarkerName is not set on RecordMarkerCommand.");
                }
                CheckPayload(marker, WorkflowTaskFailedCause.BadRecordMarkerAttributes);
                var recorded = Event(EventType.MarkerRecorded, command);
                recorded.MarkerRecordedEventAttributes = new MarkerRecordedEventAttributes
                {
                    MarkerName = marker.MarkerName,
                    Header = marker.Header,
                    Failure = marker.Failure,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                recorded.MarkerRecordedEventAttributes.Details.Add(marker.Details);
                t.WriteEvent(recorded);
                break;
            case CommandType.UpsertWorkflowSearchAttributes:
                var upsert = command.UpsertWorkflowSearchAttributesCommandAttributes;
                if (upsert?.SearchAttributes is null)
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadSearchAttributes, "SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand.");
                }
                CheckPayload(upsert.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
                var upserted = Event(EventType.UpsertWorkflowSearchAttributes, command);
                upserted.UpsertWorkflowSearchAttributesEventAttributes = new UpsertWorkflowSearchAttributesEventAttributes
                {
                    SearchAttributes = upsert.SearchAttributes,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.State.SearchAttributes ??= new SearchAttributes();
                Merge(t.State.SearchAttributes.IndexedFields, upsert.SearchAttributes.IndexedFields);
                t.WriteEvent(upserted);
                break;
            case CommandType.ModifyWorkflowProperties:
                var modify = command.ModifyWorkflowPropertiesCommandAttributes;
                if (modify?.UpsertedMemo is null)
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes, "UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.");
                }
                t.State.Memo ??= new Memo();
                Merge(t.State.Memo.Fields, modify.UpsertedMemo.Fields);
                if (t.State.Memo.CalculateSize() > HistoryLimits.MemoSizeError)
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes, "Memo size exceeds limit.");
                }
                var modified = Event(EventType.WorkflowPropertiesModified, command);
                modified.WorkflowPropertiesModifiedEventAttributes = new WorkflowPropertiesModifiedEventAttributes
                {
                    UpsertedMemo = modify.UpsertedMemo,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.WriteEvent(modified);
                break;
            default:
                // Child workflows, continue-as-new, external signals/cancels, updates and Nexus come with later issues.
                throw new CommandValidationException(WorkflowTaskFailedCause.FeatureDisabled,
                    $"Command {command.CommandType} is not implemented by this server yet.");
        }
    }

    private HistoryEvent Event(EventType type, Command command)
    {
        var e = t.NewEvent(type);
        e.UserMetadata = command.UserMetadata;
        return e;
    }

    private void ScheduleActivity(ScheduleActivityTaskCommandAttributes? a)
    {
        const WorkflowTaskFailedCause bad = WorkflowTaskFailedCause.BadScheduleActivityAttributes;
        if (a is null)
        {
            throw new CommandValidationException(bad, "ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand.");
        }
        if (string.IsNullOrEmpty(a.ActivityId))
        {
            throw new CommandValidationException(bad, "ActivityId is not set on ScheduleActivityTaskCommand.");
        }
        if (string.IsNullOrEmpty(a.ActivityType?.Name))
        {
            throw new CommandValidationException(bad, "ActivityType is not set on ScheduleActivityTaskCommand.");
        }
        if (a.ActivityId.Length > HistoryLimits.MaxIdLength || a.ActivityType.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new CommandValidationException(bad, "ActivityId or ActivityType exceeds length limit.");
        }
        foreach (var pending in t.State.Activities.Values)
        {
            if (pending.ActivityId == a.ActivityId)
            {
                throw new CommandValidationException(WorkflowTaskFailedCause.ScheduleActivityDuplicateId,
                    $"Activity ID {a.ActivityId} already exists.");
            }
        }
        if (t.State.Activities.Count >= HistoryLimits.PendingActivitiesLimit)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.PendingActivitiesLimitExceeded,
                "the number of pending activities, 2000, has reached the per-workflow limit");
        }
        CheckPayload(a.Input, bad);
        var timeouts = ActivityTimeouts.Normalize(D(a.ScheduleToCloseTimeout), D(a.ScheduleToStartTimeout), D(a.StartToCloseTimeout),
            D(a.HeartbeatTimeout), t.State.RunTimeout)
            ?? throw new CommandValidationException(bad, "A valid StartToClose or ScheduleToClose timeout must be set.");
        RetryPolicy policy;
        try
        {
            policy = RetryPolicies.WithDefaults(a.RetryPolicy);
        }
        catch (InvalidArgumentException invalid)
        {
            throw new CommandValidationException(bad, invalid.Message);
        }
        var taskQueue = string.IsNullOrEmpty(a.TaskQueue?.Name) ? t.State.TaskQueue : a.TaskQueue.Name;
        var e = t.NewEvent(EventType.ActivityTaskScheduled);
        e.ActivityTaskScheduledEventAttributes = new ActivityTaskScheduledEventAttributes
        {
            ActivityId = a.ActivityId,
            ActivityType = a.ActivityType,
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
            Header = a.Header,
            Input = a.Input,
            ScheduleToCloseTimeout = Duration.FromTimeSpan(timeouts.ScheduleToClose),
            ScheduleToStartTimeout = Duration.FromTimeSpan(timeouts.ScheduleToStart),
            StartToCloseTimeout = Duration.FromTimeSpan(timeouts.StartToClose),
            HeartbeatTimeout = Duration.FromTimeSpan(timeouts.Heartbeat),
            WorkflowTaskCompletedEventId = _completedEventId,
            RetryPolicy = policy,
            Priority = a.Priority,
        };
        t.WriteEvent(e);
        t.ScheduleActivity(new ActivityInfo
        {
            ScheduledEventId = e.EventId,
            ActivityId = a.ActivityId,
            ActivityType = a.ActivityType.Name,
            TaskQueue = taskQueue,
            Input = a.Input,
            Header = a.Header,
            Priority = a.Priority,
            RetryPolicy = policy,
            ScheduleToCloseTimeout = timeouts.ScheduleToClose,
            ScheduleToStartTimeout = timeouts.ScheduleToStart,
            StartToCloseTimeout = timeouts.StartToClose,
            HeartbeatTimeout = timeouts.Heartbeat,
            ScheduledTime = t.Now,
        });
    }

    private void RequestCancelActivity(RequestCancelActivityTaskCommandAttributes? a)
    {
        var scheduledId = a?.ScheduledEventId ?? 0;
        var activity = t.State.Activities.GetValueOrDefault(scheduledId);
        var completionBuffered = activity is null && t.State.BufferedEvents.Exists(b => ScheduledIdOfActivityClose(b) == scheduledId);
        if (activity is null && !completionBuffered)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadRequestCancelActivityAttributes,
                $"Unable to find activity with scheduled event id {scheduledId} to cancel.");
        }
        var e = t.NewEvent(EventType.ActivityTaskCancelRequested);
        e.ActivityTaskCancelRequestedEventAttributes = new ActivityTaskCancelRequestedEventAttributes
        {
            ScheduledEventId = scheduledId,
            WorkflowTaskCompletedEventId = _completedEventId,
        };
        t.WriteEvent(e);
        if (activity is null)
        {
            return; // it already finished; its buffered result will be delivered
        }
        activity.CancelRequested = true;
        activity.CancelRequestedEventId = e.EventId;
        if (!activity.IsStarted)
        {
            // Not running anywhere (never started, or waiting for a retry): cancelled at once (§3.3).
            t.CancelActivity(activity, null, request.Identity);
        }
    }

    private static long ScheduledIdOfActivityClose(HistoryEvent e) => e.EventType switch
    {
        EventType.ActivityTaskCompleted => e.ActivityTaskCompletedEventAttributes.ScheduledEventId,
        EventType.ActivityTaskFailed => e.ActivityTaskFailedEventAttributes.ScheduledEventId,
        EventType.ActivityTaskTimedOut => e.ActivityTaskTimedOutEventAttributes.ScheduledEventId,
        EventType.ActivityTaskCanceled => e.ActivityTaskCanceledEventAttributes.ScheduledEventId,
        _ => -1,
    };

    private void StartTimer(StartTimerCommandAttributes? a)
    {
        if (string.IsNullOrEmpty(a?.TimerId) || a.TimerId.Length > HistoryLimits.MaxIdLength)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadStartTimerAttributes, "TimerId is not set or too long on StartTimerCommand.");
        }
        var duration = D(a.StartToFireTimeout);
        if (duration < TimeSpan.Zero)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadStartTimerAttributes, "A valid StartToFireTimeout is not set on StartTimerCommand.");
        }
        if (t.State.Timers.ContainsKey(a.TimerId))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.StartTimerDuplicateId, $"Timer ID {a.TimerId} already exists.");
        }
        var e = t.NewEvent(EventType.TimerStarted);
        e.TimerStartedEventAttributes = new TimerStartedEventAttributes
        {
            TimerId = a.TimerId,
            StartToFireTimeout = a.StartToFireTimeout,
            WorkflowTaskCompletedEventId = _completedEventId,
        };
        t.WriteEvent(e);
        var expiry = t.Now + duration;
        t.State.Timers[a.TimerId] = new TimerInfo
        {
            TimerId = a.TimerId,
            StartedEventId = e.EventId,
            ExpiryTime = expiry,
            TaskId = t.AddTimer(expiry, new TimerTaskInfo(TimerTaskKind.UserTimer, e.EventId, TimerId: a.TimerId)),
        };
    }

    private void CancelTimer(CancelTimerCommandAttributes? a)
    {
        var timerId = a?.TimerId ?? "";
        long startedEventId;
        if (t.State.Timers.Remove(timerId, out var timer))
        {
            startedEventId = timer.StartedEventId;
            t.DeleteTimer(timer.TaskId);
        }
        else
        {
            // Fired while this task ran: the worker has not seen TimerFired yet, so upstream drops it and cancels.
            var index = t.State.BufferedEvents.FindIndex(b => b.EventType == EventType.TimerFired && b.TimerFiredEventAttributes.TimerId == timerId);
            if (index < 0)
            {
                throw new CommandValidationException(WorkflowTaskFailedCause.BadCancelTimerAttributes, $"Timer ID {timerId} is not found.");
            }
            startedEventId = t.State.BufferedEvents[index].TimerFiredEventAttributes.StartedEventId;
            t.State.BufferedEvents.RemoveAt(index);
        }
        var e = t.NewEvent(EventType.TimerCanceled);
        e.TimerCanceledEventAttributes = new TimerCanceledEventAttributes
        {
            TimerId = timerId,
            StartedEventId = startedEventId,
            WorkflowTaskCompletedEventId = _completedEventId,
            Identity = request.Identity,
        };
        t.WriteEvent(e);
    }

    /// <summary>Upserts map entries; an entry whose payload is empty or JSON null deletes the key (§5.10).</summary>
    private static void Merge(Google.Protobuf.Collections.MapField<string, Payload> target, Google.Protobuf.Collections.MapField<string, Payload> upserts)
    {
        foreach (var (name, payload) in upserts)
        {
            var data = payload?.Data;
            if (data is null || data.IsEmpty || data.Span.SequenceEqual("null"u8) || data.Span.SequenceEqual("[]"u8))
            {
                target.Remove(name);
            }
            else
            {
                target[name] = payload!;
            }
        }
    }

    private static void CheckPayload(IMessage? message, WorkflowTaskFailedCause cause)
    {
        if (message is not null && message.CalculateSize() > HistoryLimits.BlobSizeError)
        {
            throw new CommandValidationException(cause, "Blob data size exceeds limit.");
        }
    }

    private static TimeSpan D(Duration? d) => d?.ToTimeSpan() ?? TimeSpan.Zero;
}
