using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Protocol.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>What the command handlers of one workflow task completion share: its transition, request, limits and checks.</summary>
internal sealed class CommandContext(
    Transition t, RespondWorkflowTaskCompletedRequest request, PayloadLimits limits,
    IReadOnlyDictionary<string, Tempora.Visibility.Query.SearchAttributeType>? customSearchAttributes,
    IReadOnlyDictionary<string, Message> messages, Action<Message> applyMessage)
{
    public Transition Transition => t;
    public RespondWorkflowTaskCompletedRequest Request => request;
    public PayloadLimits Limits => limits;

    /// <summary>The Nexus endpoints the completion's ScheduleNexusOperation commands name, looked up before the
    /// transition (a name not registered is missing).</summary>
    public IReadOnlyDictionary<string, Tempora.Persistence.Nexus.NexusEndpointRecord> NexusEndpoints { get; init; } =
        new Dictionary<string, Tempora.Persistence.Nexus.NexusEndpointRecord>();

    /// <summary>The WorkflowTaskCompleted event the command events point back to.</summary>
    public long CompletedEventId { get; set; }

    /// <summary>Scheduled event ids of the activities started eagerly for the completing worker.</summary>
    public List<long> EagerActivities { get; } = [];

    /// <summary>The completion's protocol messages not applied yet, by message id.</summary>
    public IReadOnlyDictionary<string, Message> Messages => messages;

    /// <summary>Applies one update protocol message (a ProtocolMessage command places it among the commands).</summary>
    public void ApplyMessage(Message message) => applyMessage(message);

    public HistoryEvent Event(EventType type, Command command)
    {
        var e = t.NewEvent(type);
        e.UserMetadata = command.UserMetadata;
        return e;
    }

    /// <summary>The namespace a command addresses: its own, or the workflow's when empty.</summary>
    public string TargetNamespace(string? ns) => string.IsNullOrEmpty(ns) ? request.Namespace : ns;

    public static void Validate(Action check, WorkflowTaskFailedCause cause)
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

    public void CheckPayload(IMessage? message, WorkflowTaskFailedCause cause)
    {
        if (limits.IsBlobTooLarge(message))
        {
            throw new CommandValidationException(cause, "Blob data size exceeds limit.", terminatesWorkflow: true);
        }
    }

    public void CheckMemo(Memo? memo, WorkflowTaskFailedCause cause)
    {
        if (limits.IsMemoTooLarge(memo))
        {
            throw new CommandValidationException(cause, "Memo size exceeds limit.", terminatesWorkflow: true);
        }
    }

    /// <summary>Too many keys fail the task; values or a map too large terminate the run, as Temporal's size checker does.</summary>
    public void CheckSearchAttributesSize(SearchAttributes? attributes, WorkflowTaskFailedCause cause, SearchAttributes? whole = null)
    {
        if (limits.SearchAttributesSizeProblem(attributes, whole) is { } problem)
        {
            throw new CommandValidationException(cause, problem, terminatesWorkflow: true);
        }
    }

    /// <summary>Unknown names and values of the wrong type fail the workflow task (BadSearchAttributes), as upstream.</summary>
    public void CheckSearchAttributes(SearchAttributes? attributes, WorkflowTaskFailedCause cause)
    {
        if (limits.SearchAttributesCountProblem(attributes) is { } tooMany)
        {
            throw new CommandValidationException(cause, tooMany);
        }
        if (customSearchAttributes is not null
            && Tempora.Visibility.SearchAttributeValues.Problem(attributes, customSearchAttributes) is { } problem)
        {
            throw new CommandValidationException(cause, problem);
        }
    }

    /// <summary>Signals and cancel requests to other workflows are limited separately, 2 000 pending each (§7).</summary>
    public void CheckExternalLimit(WorkflowTaskFailedCause cause)
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

    public static TimeSpan D(Duration? d) => d?.ToTimeSpan() ?? TimeSpan.Zero;
}
