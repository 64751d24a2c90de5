using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Validation;
using Temporalio.Api.Command.V1;
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
    PayloadLimits? limits = null,
    IReadOnlyDictionary<string, Tempora.Persistence.Nexus.NexusEndpointRecord>? nexusEndpoints = null)
{
    private readonly PayloadLimits _limits = limits ?? new();

    private readonly Dictionary<string, Temporalio.Api.Protocol.V1.Message> _messages =
        request.Messages.ToDictionary(m => m.Id, StringComparer.Ordinal);
    private readonly HashSet<string> _answeredUpdates = new(StringComparer.Ordinal);

    /// <summary>Ids of the updates this completion accepted, rejected or completed.</summary>
    public IReadOnlySet<string> AnsweredUpdates => _answeredUpdates;

    private static readonly TimeSpan DefaultStickyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The completion dropped a speculative task: the worker must forget its events (reset_history_event_id).</summary>
    public bool DiscardedSpeculativeTask { get; private set; }

    private CommandContext? _commands;

    /// <summary>What the command handlers share (created on first use: it applies messages through this completion).</summary>
    private CommandContext Commands => _commands ??= new(t, request, _limits, customSearchAttributes, _messages, ApplyMessage)
    {
        NexusEndpoints = nexusEndpoints ?? new Dictionary<string, Tempora.Persistence.Nexus.NexusEndpointRecord>(),
    };

    /// <summary>
    /// Activities started for the completing worker in this transition because it asked for eager execution; their
    /// tasks go back in the response. Empty when the run closed (nothing runs for a closed run).
    /// </summary>
    public IEnumerable<ActivityInfo> EagerActivities => t.State.IsOpen
        ? Commands.EagerActivities.Select(id => t.State.Activities.GetValueOrDefault(id)).OfType<ActivityInfo>().Where(a => a.IsStarted)
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
        var versioningBefore = RunVersioning.Effective(t.State);
        var versioned = request.DeploymentOptions?.WorkerVersioningMode == WorkerVersioningMode.Versioned;
#pragma warning disable CS0612, CS0618 // the v0.30 deployment field, which 1.28 still reads when options do not name a version
        var legacyDeployment = request.Deployment;
#pragma warning restore CS0612, CS0618
        Commands.CompletedEventId = t.CompleteWorkflowTask(e =>
        {
            e.WorkflowTaskCompletedEventAttributes = new WorkflowTaskCompletedEventAttributes
            {
                ScheduledEventId = wft.ScheduledEventId,
                StartedEventId = wft.StartedEventId,
                Identity = request.Identity,
                BinaryChecksum = request.BinaryChecksum,
                SdkMetadata = request.SdkMetadata,
                MeteringMetadata = request.MeteringMetadata,
                // The stamp as the worker sent it, as 1.28 records it: the SDKs send it since GetSystemInfo says
                // build_id_based_versioning, and read it back on replay (Workflow.CurrentBuildId).
                WorkerVersion = request.WorkerVersionStamp,
                // As 1.28 records them: the deployment name in either mode; the version, and the behavior, only from
                // a VERSIONED worker (an SDK may send its default behavior with versioning off: it is ignored).
                WorkerDeploymentName = request.DeploymentOptions?.DeploymentName is { Length: > 0 } name ? name : legacyDeployment?.SeriesName ?? "",
                DeploymentVersion = versioned
                    ? new Temporalio.Api.Deployment.V1.WorkerDeploymentVersion
                    {
                        DeploymentName = request.DeploymentOptions!.DeploymentName,
                        BuildId = request.DeploymentOptions.BuildId,
                    }
                    : legacyDeployment is { } d
                        ? new Temporalio.Api.Deployment.V1.WorkerDeploymentVersion { DeploymentName = d.SeriesName, BuildId = d.BuildId }
                        : null,
                VersioningBehavior = versioned || request.DeploymentOptions is null ? request.VersioningBehavior : VersioningBehavior.Unspecified,
            };
            return e;
        }).EventId;
        if (RunVersioning.Effective(t.State) != versioningBefore)
        {
            // The run's tasks belong elsewhere now: activities waiting for a poller go to matching again.
            t.RedispatchPendingActivities();
        }

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
            Commands.CheckPayload(response.Outcome, WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage);
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
        var handler = CommandHandlers.For(command.CommandType)
            ?? throw new CommandValidationException(WorkflowTaskFailedCause.FeatureDisabled,
                $"Command {command.CommandType} is not implemented by this server yet.");
        handler.Apply(command, Commands);
    }
}
