using Google.Protobuf.WellKnownTypes;
using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>
/// ScheduleNexusOperation, checked as Temporal 1.28 checks it (components/nexusoperations/workflow/commands.go), with
/// its limits at their defaults; the endpoint is looked up by name before the transition (<see cref="CommandContext.NexusEndpoints"/>).
/// </summary>
internal sealed class ScheduleNexusOperationCommandHandler : ICommandHandler
{
    private const WorkflowTaskFailedCause Cause = WorkflowTaskFailedCause.BadScheduleNexusOperationAttributes;

    /// <summary>Header keys a workflow may not set (component.nexusoperations.disallowedHeaders' default).</summary>
    private static readonly HashSet<string> DisallowedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "request-timeout", "xdc-redirection-api", "xdc-redirection", "caller-name", "caller-type", "call-initiation",
    };

    public void Apply(Command command, CommandContext c)
    {
        var t = c.Transition;
        var a = command.ScheduleNexusOperationCommandAttributes
            ?? throw new CommandValidationException(Cause, "empty ScheduleNexusOperationCommandAttributes");
        var endpointId = "";
        if (a.Endpoint != Nexus.SystemNexusEndpoint.Name)
        {
            endpointId = c.NexusEndpoints.GetValueOrDefault(a.Endpoint)?.Id
                ?? throw new CommandValidationException(Cause, $"endpoint \"{a.Endpoint}\" not found");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(a.Service) > HistoryLimits.MaxNexusServiceNameLength)
        {
            throw new CommandValidationException(Cause,
                $"ScheduleNexusOperationCommandAttributes.Service exceeds length limit of {HistoryLimits.MaxNexusServiceNameLength}");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(a.Operation) > HistoryLimits.MaxNexusOperationNameLength)
        {
            throw new CommandValidationException(Cause,
                $"ScheduleNexusOperationCommandAttributes.Operation exceeds length limit of {HistoryLimits.MaxNexusOperationNameLength}");
        }
        if (a.ScheduleToCloseTimeout is { } timeout && (timeout.Seconds < 0 || timeout.Nanos < 0))
        {
            throw new CommandValidationException(Cause,
                "ScheduleNexusOperationCommandAttributes.ScheduleToCloseTimeout is invalid: negative duration");
        }
        if (c.Limits.IsBlobTooLarge(a.Input))
        {
            throw new CommandValidationException(Cause, "ScheduleNexusOperationCommandAttributes.Input exceeds size limit", terminatesWorkflow: true);
        }
        var headerSize = 0;
        foreach (var (key, value) in a.NexusHeader)
        {
            headerSize += System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value);
            if (DisallowedHeaders.Contains(key))
            {
                throw new CommandValidationException(Cause,
                    $"ScheduleNexusOperationCommandAttributes.NexusHeader contains a disallowed header key: \"{key}\"");
            }
        }
        if (headerSize > HistoryLimits.MaxNexusHeaderSize)
        {
            throw new CommandValidationException(Cause, "ScheduleNexusOperationCommandAttributes.NexusHeader exceeds size limit");
        }
        if (t.State.NexusOperations.Count >= HistoryLimits.PendingNexusOperationsLimit)
        {
            throw new CommandValidationException(WorkflowTaskFailedCause.PendingNexusOperationsLimitExceeded,
                $"workflow has reached the pending nexus operation limit of {HistoryLimits.PendingNexusOperationsLimit} for this namespace");
        }
        var scheduleToClose = CommandContext.D(a.ScheduleToCloseTimeout);
        if (t.State.RunTimeout is { } run && (scheduleToClose == TimeSpan.Zero || scheduleToClose > run))
        {
            scheduleToClose = run; // an operation cannot outlive the run that waits for it
        }
        var e = c.Event(EventType.NexusOperationScheduled, command);
        e.NexusOperationScheduledEventAttributes = new NexusOperationScheduledEventAttributes
        {
            Endpoint = a.Endpoint,
            EndpointId = endpointId,
            Service = a.Service,
            Operation = a.Operation,
            Input = a.Input,
            ScheduleToCloseTimeout = scheduleToClose > TimeSpan.Zero ? Duration.FromTimeSpan(scheduleToClose) : null,
            NexusHeader = { a.NexusHeader },
            RequestId = Guid.NewGuid().ToString(),
            WorkflowTaskCompletedEventId = c.CompletedEventId,
        };
        t.WriteEvent(e);
        t.ArmNexusOperation(t.State.NexusOperations[e.EventId]);
    }
}
