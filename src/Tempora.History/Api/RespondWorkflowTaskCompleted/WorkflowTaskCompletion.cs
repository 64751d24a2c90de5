using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Validation;
using Tempora.History.Queues;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Applies one RespondWorkflowTaskCompleted to a run: WorkflowTaskCompleted, then one or more events per command in
/// the order given, then the buffered events, then the next workflow task if one is needed (temporal-compat.md §3.3).
/// </summary>
internal sealed class WorkflowTaskCompletion(
    Transition t, RespondWorkflowTaskCompletedRequest request, ExecutionContext? context = null,
    IReadOnlyDictionary<string, Tempora.Visibility.Query.SearchAttributeType>? customSearchAttributes = null,
    PayloadLimits? limits = null)
{
    private readonly PayloadLimits _limits = limits ?? new();

    private readonly Dictionary<string, Temporalio.Api.Protocol.V1.Message> _messages =
        request.Messages.ToDictionary(m => m.Id, StringComparer.Ordinal);
    private readonly HashSet<string> _answeredUpdates = new(StringComparer.Ordinal);

    /// <summary>Ids of the updates this completion accepted, rejected or completed.</summary>
    public IReadOnlySet<string> AnsweredUpdates => _answeredUpdates;

    private static readonly TimeSpan DefaultStickyTimeout = TimeSpan.FromSeconds(10);
    private long _completedEventId;

    /// <summary>The completion dropped a speculative task: the worker must forget its events (reset_history_event_id).</summary>
    public bool DiscardedSpeculativeTask { get; private set; }

    private readonly List<long> _eagerActivities = [];

    /// <summary>
    /// Activities started for the completing worker in this transition because it asked for eager execution; their
    /// tasks go back in the response. Empty when the run closed (nothing runs for a closed run).
    /// </summary>
    public IEnumerable<ActivityInfo> EagerActivities => t.State.IsOpen
        ? _eagerActivities.Select(id => t.State.Activities.GetValueOrDefault(id)).OfType<ActivityInfo>().Where(a => a.IsStarted)
        : [];

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
        if (wft.Speculative && commands.Count == 0 && !request.ForceCreateNewWorkflowTask && t.State.BufferedEvents.Count == 0
            && _messages.Values.All(m => m.Body?.Is(Temporalio.Api.Update.V1.Rejection.Descriptor) == true))
        {
            // Every update was rejected and nothing else happened: the task leaves no trace (§5.11).
            foreach (var message in _messages.Values.ToList())
            {
                ApplyMessage(message);
            }
            t.DiscardSpeculativeWorkflowTask();
            DiscardedSpeculativeTask = true;
            if (context?.Updates.Any(u => u.Value.Rejection is null && !u.Value.Aborted && !_answeredUpdates.Contains(u.Key)) == true)
            {
                t.ScheduleSpeculativeWorkflowTask();
            }
            return;
        }
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
                // Current SDKs send their build id in deployment options and leave the older stamp empty;
                // SDK replay reads it back from here (Workflow.CurrentBuildId).
                WorkerVersion = request.WorkerVersionStamp is { BuildId.Length: > 0 } stamp ? stamp
                    : request.DeploymentOptions is { BuildId.Length: > 0 } deployment
                        ? new Temporalio.Api.Common.V1.WorkerVersionStamp { BuildId = deployment.BuildId }
                        : request.BinaryChecksum is { Length: > 0 } legacy
                            ? new Temporalio.Api.Common.V1.WorkerVersionStamp { BuildId = legacy } // legacy BuildId option
                            : request.WorkerVersionStamp,
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
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            CommandStrings.Check(command, i);
            Apply(command);
            if (!t.State.IsOpen)
            {
                return;
            }
        }
        // Messages no ProtocolMessage command placed are applied after the commands (§3.3 rule 5).
        foreach (var message in _messages.Values.ToList())
        {
            ApplyMessage(message);
        }
        t.DeferWorkflowTask = false;
        var flushed = t.FlushBufferedEvents();
        var updatesWaiting = context?.Updates.Any(u => u.Value.Rejection is null && !u.Value.Aborted && !_answeredUpdates.Contains(u.Key)) ?? false;
        if (request.ForceCreateNewWorkflowTask || flushed > 0 || t.WorkflowTaskNeeded || updatesWaiting)
        {
            t.ScheduleWorkflowTask();
        }
    }

    /// <summary>Applies one update protocol message from the worker: acceptance, rejection or response (§5.11).</summary>
    private void ApplyMessage(Temporalio.Api.Protocol.V1.Message message)
    {
        _messages.Remove(message.Id);
        var id = message.ProtocolInstanceId;
        var body = message.Body;
        if (body is null || string.IsNullOrEmpty(id))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage, "Protocol message without body or instance id.");
        }
        _answeredUpdates.Add(id);
        AdmittedUpdate? admitted = null;
        context?.Updates.TryGetValue(id, out admitted);
        if (body.Is(Temporalio.Api.Update.V1.Acceptance.Descriptor))
        {
            var acceptance = body.Unpack<Temporalio.Api.Update.V1.Acceptance>();
            if (t.State.Updates.TryGetValue(id, out var known) && known.AcceptedEventId > 0)
            {
                return; // accepted before
            }
            var e = t.NewEvent(EventType.WorkflowExecutionUpdateAccepted);
            e.WorkflowExecutionUpdateAcceptedEventAttributes = new WorkflowExecutionUpdateAcceptedEventAttributes
            {
                ProtocolInstanceId = id,
                AcceptedRequestMessageId = acceptance.AcceptedRequestMessageId,
                AcceptedRequestSequencingEventId = acceptance.AcceptedRequestSequencingEventId,
                // An update admitted by an event has its request in history already (Temporal leaves it out here too).
                AcceptedRequest = known is { AdmittedEventId: > 0 } ? null : acceptance.AcceptedRequest ?? admitted?.Request,
            };
            t.WriteEvent(e);
            t.AfterCommit.Add(() => context?.Updates.Remove(id));
        }
        else if (body.Is(Temporalio.Api.Update.V1.Rejection.Descriptor))
        {
            var rejection = body.Unpack<Temporalio.Api.Update.V1.Rejection>();
            // A rejection leaves no event; its failure is the update's outcome for the callers waiting on it.
            t.AfterCommit.Add(() =>
            {
                if (admitted is not null)
                {
                    admitted.Rejection = new Temporalio.Api.Update.V1.Outcome { Failure = rejection.Failure };
                }
            });
        }
        else if (body.Is(Temporalio.Api.Update.V1.Response.Descriptor))
        {
            var response = body.Unpack<Temporalio.Api.Update.V1.Response>();
            if (!t.State.Updates.TryGetValue(id, out var record) || record.AcceptedEventId == 0 || record.CompletedEventId > 0)
            {
                throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
                    $"Update {id} was not accepted before its response, or completed already.");
            }
            CheckPayload(response.Outcome, WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage);
            var e = t.NewEvent(EventType.WorkflowExecutionUpdateCompleted);
            e.WorkflowExecutionUpdateCompletedEventAttributes = new WorkflowExecutionUpdateCompletedEventAttributes
            {
                Meta = response.Meta,
                Outcome = response.Outcome,
                AcceptedEventId = record.AcceptedEventId,
            };
            t.WriteEvent(e);
        }
        else
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
                $"Unsupported protocol message {body.TypeUrl}.");
        }
    }

    private static bool IsCloseCommand(CommandType type) => type is CommandType.CompleteWorkflowExecution
        or CommandType.FailWorkflowExecution or CommandType.CancelWorkflowExecution or CommandType.ContinueAsNewWorkflowExecution;

    private void Apply(Command command)
    {
        if (WellFormedFields.Problem(command) is { } problem)
        {
            throw new CommandValidationException(BadAttributes.CauseOf(command.CommandType), problem);
        }
        if (_limits.UserMetadataProblem(command.UserMetadata) is { } metadataProblem)
        {
            throw new CommandValidationException(BadAttributes.CauseOf(command.CommandType), metadataProblem, terminatesWorkflow: true);
        }
        switch (command.CommandType)
        {
            case CommandType.ScheduleActivityTask:
                ScheduleActivity(command.ScheduleActivityTaskCommandAttributes, command);
                break;
            case CommandType.RequestCancelActivityTask:
                RequestCancelActivity(command.RequestCancelActivityTaskCommandAttributes, command);
                break;
            case CommandType.StartTimer:
                StartTimer(command.StartTimerCommandAttributes, command);
                break;
            case CommandType.CancelTimer:
                CancelTimer(command.CancelTimerCommandAttributes, command);
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
                t.CloseRun(completed, WorkflowExecutionStatus.Completed, result: complete?.Result);
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
                t.CloseRun(failed, WorkflowExecutionStatus.Failed, failure: fail?.Failure);
                break;
            case CommandType.CancelWorkflowExecution:
                var cancel = command.CancelWorkflowExecutionCommandAttributes;
                var canceled = Event(EventType.WorkflowExecutionCanceled, command);
                canceled.WorkflowExecutionCanceledEventAttributes = new WorkflowExecutionCanceledEventAttributes
                {
                    Details = cancel?.Details,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.CloseRun(canceled, WorkflowExecutionStatus.Canceled);
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
                CheckSearchAttributes(upsert.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
                // The size limits hold for the run's attributes after the upsert, as in Temporal.
                CheckSearchAttributesSize(upsert.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes,
                    MapUpserts.Merged(t.State.SearchAttributes, upsert.SearchAttributes));
                var upserted = Event(EventType.UpsertWorkflowSearchAttributes, command);
                upserted.UpsertWorkflowSearchAttributesEventAttributes = new UpsertWorkflowSearchAttributesEventAttributes
                {
                    SearchAttributes = upsert.SearchAttributes,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.WriteEvent(upserted);
                break;
            case CommandType.ModifyWorkflowProperties:
                var modify = command.ModifyWorkflowPropertiesCommandAttributes;
                if (modify?.UpsertedMemo is null)
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes, "UpsertedMemo is not set on ModifyWorkflowPropertiesCommand.");
                }
                if (_limits.IsMemoTooLarge(MapUpserts.Merged(t.State.Memo, modify.UpsertedMemo)))
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadModifyWorkflowPropertiesAttributes, "Memo size exceeds limit.",
                        terminatesWorkflow: true);
                }
                var modified = Event(EventType.WorkflowPropertiesModified, command);
                modified.WorkflowPropertiesModifiedEventAttributes = new WorkflowPropertiesModifiedEventAttributes
                {
                    UpsertedMemo = modify.UpsertedMemo,
                    WorkflowTaskCompletedEventId = _completedEventId,
                };
                t.WriteEvent(modified);
                break;
            case CommandType.ContinueAsNewWorkflowExecution:
                var continueAsNew = command.ContinueAsNewWorkflowExecutionCommandAttributes
                    ?? throw new CommandValidationException(WorkflowTaskFailedCause.BadContinueAsNewAttributes, "ContinueAsNewWorkflowExecutionCommandAttributes is not set.");
                CheckPayload(continueAsNew.Input, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                CheckPayload(continueAsNew.Header, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                CheckMemo(continueAsNew.Memo, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                CheckSearchAttributes(continueAsNew.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
                CheckSearchAttributesSize(continueAsNew.SearchAttributes, WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                Validate(() => TaskQueueNames.CheckCommandQueue(continueAsNew.TaskQueue?.Name), WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                if (!string.IsNullOrEmpty(continueAsNew.CronSchedule))
                {
                    Validate(() => CronSchedules.Validate(continueAsNew.CronSchedule), WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                }
                if (continueAsNew.RetryPolicy is not null)
                {
                    Validate(() => RetryPolicies.WithDefaults(continueAsNew.RetryPolicy), WorkflowTaskFailedCause.BadContinueAsNewAttributes);
                }
                t.ContinueAsNew(continueAsNew, _completedEventId);
                break;
            case CommandType.StartChildWorkflowExecution:
                CheckSearchAttributes(command.StartChildWorkflowExecutionCommandAttributes?.SearchAttributes, WorkflowTaskFailedCause.BadSearchAttributes);
                CheckSearchAttributesSize(command.StartChildWorkflowExecutionCommandAttributes?.SearchAttributes,
                    WorkflowTaskFailedCause.BadStartChildExecutionAttributes);
                StartChild(command.StartChildWorkflowExecutionCommandAttributes, command);
                break;
            case CommandType.SignalExternalWorkflowExecution:
                SignalExternal(command.SignalExternalWorkflowExecutionCommandAttributes, command);
                break;
            case CommandType.RequestCancelExternalWorkflowExecution:
                CancelExternal(command.RequestCancelExternalWorkflowExecutionCommandAttributes, command);
                break;
            case CommandType.ProtocolMessage:
                var messageId = command.ProtocolMessageCommandAttributes?.MessageId ?? "";
                if (!_messages.TryGetValue(messageId, out var referenced))
                {
                    throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
                        $"ProtocolMessageCommand references message {messageId}, which is not in the request.");
                }
                ApplyMessage(referenced);
                break;
            default:
                // Nexus operations are not supported.
                throw new CommandValidationException(WorkflowTaskFailedCause.FeatureDisabled,
                    $"Command {command.CommandType} is not implemented by this server yet.");
        }
    }

    private static void Validate(Action check, WorkflowTaskFailedCause cause)
    {
        try
        {
            check();
        }
        catch (InvalidArgumentException invalid)
        {
            throw new CommandValidationException(cause, invalid.Message);
        }
    }

    /// <summary>The namespace a command addresses: its own, or the workflow's when empty.</summary>
    private string TargetNamespace(string? ns) => string.IsNullOrEmpty(ns) ? request.Namespace : ns;

    private void StartChild(StartChildWorkflowExecutionCommandAttributes? a, Command command)
    {
        const WorkflowTaskFailedCause bad = WorkflowTaskFailedCause.BadStartChildExecutionAttributes;
        if (a is null || string.IsNullOrEmpty(a.WorkflowId) || string.IsNullOrEmpty(a.WorkflowType?.Name))
        {
            throw new CommandValidationException(bad, "WorkflowId and WorkflowType must be set on StartChildWorkflowExecutionCommand.");
        }
        if (a.WorkflowId.Length > HistoryLimits.MaxIdLength || a.WorkflowType.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new CommandValidationException(bad, "WorkflowId or WorkflowType exceeds length limit.");
        }
        if (t.State.Children.Count >= HistoryLimits.PendingChildrenLimit)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.PendingChildWorkflowsLimitExceeded,
                $"the number of pending child workflow executions, {HistoryLimits.PendingChildrenLimit}, has reached the per-workflow limit");
        }
        CheckPayload(a.Input, bad);
        CheckPayload(a.Header, bad);
        CheckMemo(a.Memo, bad);
        Validate(() => TaskQueueNames.CheckCommandQueue(a.TaskQueue?.Name), bad);
        if (a.RetryPolicy is not null)
        {
            Validate(() => RetryPolicies.WithDefaults(a.RetryPolicy), bad);
        }
        if (!string.IsNullOrEmpty(a.CronSchedule))
        {
            Validate(() => CronSchedules.Validate(a.CronSchedule), bad);
        }
        var e = Event(EventType.StartChildWorkflowExecutionInitiated, command);
        e.StartChildWorkflowExecutionInitiatedEventAttributes = new StartChildWorkflowExecutionInitiatedEventAttributes
        {
            Namespace = TargetNamespace(a.Namespace),
            WorkflowId = a.WorkflowId,
            WorkflowType = a.WorkflowType,
            TaskQueue = string.IsNullOrEmpty(a.TaskQueue?.Name)
                ? new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = t.State.TaskQueue, Kind = TaskQueueKind.Normal }
                : a.TaskQueue,
            Input = a.Input,
            WorkflowExecutionTimeout = a.WorkflowExecutionTimeout,
            WorkflowRunTimeout = a.WorkflowRunTimeout,
            WorkflowTaskTimeout = a.WorkflowTaskTimeout,
            ParentClosePolicy = a.ParentClosePolicy == ParentClosePolicy.Unspecified ? ParentClosePolicy.Terminate : a.ParentClosePolicy,
            Control = a.Control,
            WorkflowTaskCompletedEventId = _completedEventId,
            WorkflowIdReusePolicy = a.WorkflowIdReusePolicy,
            RetryPolicy = a.RetryPolicy,
            CronSchedule = a.CronSchedule,
            Header = a.Header,
            Memo = a.Memo,
            SearchAttributes = a.SearchAttributes,
            Priority = a.Priority,
        };
        t.WriteEvent(e);
        t.AddTimer(t.Now, new TimerTaskInfo(TimerTaskKind.StartChild, e.EventId));
    }

    private void SignalExternal(SignalExternalWorkflowExecutionCommandAttributes? a, Command command)
    {
        const WorkflowTaskFailedCause bad = WorkflowTaskFailedCause.BadSignalWorkflowExecutionAttributes;
        if (a is null || string.IsNullOrEmpty(a.Execution?.WorkflowId) || string.IsNullOrEmpty(a.SignalName))
        {
            throw new CommandValidationException(bad, "Execution and SignalName must be set on SignalExternalWorkflowExecutionCommand.");
        }
        CheckPayload(a.Input, bad);
        CheckPayload(a.Header, bad);
        CheckExternalLimit(WorkflowTaskFailedCause.PendingSignalsLimitExceeded);
        var e = Event(EventType.SignalExternalWorkflowExecutionInitiated, command);
        e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new SignalExternalWorkflowExecutionInitiatedEventAttributes
        {
            WorkflowTaskCompletedEventId = _completedEventId,
            Namespace = TargetNamespace(a.Namespace),
            WorkflowExecution = a.Execution,
            SignalName = a.SignalName,
            Input = a.Input,
            Control = a.Control,
            ChildWorkflowOnly = a.ChildWorkflowOnly,
            Header = a.Header,
        };
        t.WriteEvent(e);
        t.AddTimer(t.Now, new TimerTaskInfo(TimerTaskKind.SignalExternal, e.EventId));
    }

    private void CancelExternal(RequestCancelExternalWorkflowExecutionCommandAttributes? a, Command command)
    {
        if (a is null || string.IsNullOrEmpty(a.WorkflowId))
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadRequestCancelExternalWorkflowExecutionAttributes,
                "WorkflowId must be set on RequestCancelExternalWorkflowExecutionCommand.");
        }
        CheckExternalLimit(WorkflowTaskFailedCause.PendingRequestCancelLimitExceeded);
        var e = Event(EventType.RequestCancelExternalWorkflowExecutionInitiated, command);
        e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new RequestCancelExternalWorkflowExecutionInitiatedEventAttributes
        {
            WorkflowTaskCompletedEventId = _completedEventId,
            Namespace = TargetNamespace(a.Namespace),
            WorkflowExecution = new WorkflowExecution { WorkflowId = a.WorkflowId, RunId = a.RunId },
            Control = a.Control,
            ChildWorkflowOnly = a.ChildWorkflowOnly,
            Reason = a.Reason,
        };
        t.WriteEvent(e);
        t.AddTimer(t.Now, new TimerTaskInfo(TimerTaskKind.CancelExternal, e.EventId));
    }

    /// <summary>Signals and cancel requests to other workflows are limited separately, 2 000 pending each (§7).</summary>
    private void CheckExternalLimit(WorkflowTaskFailedCause cause)
    {
        var type = cause == WorkflowTaskFailedCause.PendingSignalsLimitExceeded
            ? EventType.SignalExternalWorkflowExecutionInitiated
            : EventType.RequestCancelExternalWorkflowExecutionInitiated;
        var pending = 0;
        foreach (var request in t.State.ExternalRequests.Values)
        {
            pending += request.Initiated.EventType == type ? 1 : 0;
        }
        if (pending >= HistoryLimits.PendingExternalRequestsLimit)
        {
            var what = type == EventType.SignalExternalWorkflowExecutionInitiated ? "signals" : "cancel requests";
            throw new CommandValidationException(cause,
                $"the number of pending {what} to other workflows, {HistoryLimits.PendingExternalRequestsLimit}, has reached the per-workflow limit");
        }
    }

    private HistoryEvent Event(EventType type, Command command)
    {
        var e = t.NewEvent(type);
        e.UserMetadata = command.UserMetadata;
        return e;
    }

    private void ScheduleActivity(ScheduleActivityTaskCommandAttributes? a, Command command)
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
        CheckPayload(a.Header, bad);
        Validate(() => TaskQueueNames.CheckCommandQueue(a.TaskQueue?.Name), bad);
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
        var e = Event(EventType.ActivityTaskScheduled, command);
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
        // Eager execution (the worker asked, and has a free slot): only on the run's own queue, which that worker
        // polls, as upstream does; the attempt is started here and returned with the response.
        var eager = a.RequestEagerExecution && taskQueue == t.State.TaskQueue;
        var activity = t.ScheduleActivity(e, eager ? request.Identity : null);
        if (eager)
        {
            _eagerActivities.Add(activity.ScheduledEventId);
        }
    }

    private void RequestCancelActivity(RequestCancelActivityTaskCommandAttributes? a, Command command)
    {
        var scheduledId = a?.ScheduledEventId ?? 0;
        var activity = t.State.Activities.GetValueOrDefault(scheduledId);
        var completionBuffered = activity is null && t.State.BufferedEvents.Exists(b => ScheduledIdOfActivityClose(b) == scheduledId);
        if (activity is null && !completionBuffered)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.BadRequestCancelActivityAttributes,
                $"Unable to find activity with scheduled event id {scheduledId} to cancel.");
        }
        var e = Event(EventType.ActivityTaskCancelRequested, command);
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

    private void StartTimer(StartTimerCommandAttributes? a, Command command)
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
        var e = Event(EventType.TimerStarted, command);
        e.TimerStartedEventAttributes = new TimerStartedEventAttributes
        {
            TimerId = a.TimerId,
            StartToFireTimeout = a.StartToFireTimeout,
            WorkflowTaskCompletedEventId = _completedEventId,
        };
        t.WriteEvent(e);
        var timer = t.State.Timers[a.TimerId];
        timer.TaskId = t.AddTimer(timer.ExpiryTime, new TimerTaskInfo(TimerTaskKind.UserTimer, e.EventId, TimerId: a.TimerId));
    }

    private void CancelTimer(CancelTimerCommandAttributes? a, Command command)
    {
        var timerId = a?.TimerId ?? "";
        long startedEventId;
        if (t.State.Timers.TryGetValue(timerId, out var timer))
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
        var e = Event(EventType.TimerCanceled, command);
        e.TimerCanceledEventAttributes = new TimerCanceledEventAttributes
        {
            TimerId = timerId,
            StartedEventId = startedEventId,
            WorkflowTaskCompletedEventId = _completedEventId,
            Identity = request.Identity,
        };
        t.WriteEvent(e);
    }

    private void CheckPayload(IMessage? message, WorkflowTaskFailedCause cause)
    {
        if (_limits.IsBlobTooLarge(message))
        {
            throw new CommandValidationException(cause, "Blob data size exceeds limit.", terminatesWorkflow: true);
        }
    }

    private void CheckMemo(Memo? memo, WorkflowTaskFailedCause cause)
    {
        if (_limits.IsMemoTooLarge(memo))
        {
            throw new CommandValidationException(cause, "Memo size exceeds limit.", terminatesWorkflow: true);
        }
    }

    /// <summary>Too many keys fail the task; values or a map too large terminate the run, as Temporal's size checker does.</summary>
    private void CheckSearchAttributesSize(SearchAttributes? attributes, WorkflowTaskFailedCause cause, SearchAttributes? whole = null)
    {
        if (_limits.SearchAttributesSizeProblem(attributes, whole) is { } problem)
        {
            throw new CommandValidationException(cause, problem, terminatesWorkflow: true);
        }
    }

    private static TimeSpan D(Duration? d) => d?.ToTimeSpan() ?? TimeSpan.Zero;

    /// <summary>Unknown names and values of the wrong type fail the workflow task (BadSearchAttributes), as upstream.</summary>
    private void CheckSearchAttributes(SearchAttributes? attributes, WorkflowTaskFailedCause cause)
    {
        if (_limits.SearchAttributesCountProblem(attributes) is { } tooMany)
        {
            throw new CommandValidationException(cause, tooMany);
        }
        if (customSearchAttributes is not null
            && Visibility.SearchAttributeValues.Problem(attributes, customSearchAttributes) is { } problem)
        {
            throw new CommandValidationException(cause, problem);
        }
    }
}
