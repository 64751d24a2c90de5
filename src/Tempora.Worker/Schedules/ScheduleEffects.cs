using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>Something a schedule needs done outside itself; the runner does it, then records the outcome.</summary>
public abstract record ScheduleEffect;

/// <summary>
/// Start the scheduled workflow for one buffered action. <paramref name="Request"/> is complete (namespace, id =
/// the action's workflow id plus the nominal time, request id, TemporalScheduledById/StartTime search attributes,
/// last completion result or failure); the runner starts it with the schedule's new state in the same transaction.
/// </summary>
public sealed record StartEffect(DateTimeOffset Nominal, DateTimeOffset Actual, bool Manual, StartWorkflowExecutionRequest Request)
    : ScheduleEffect;

/// <summary>Cancel (CancelOther) or terminate (TerminateOther) a workflow this schedule started and still runs.</summary>
public sealed record StopEffect(string WorkflowId, string RunId, bool Terminate, string Reason) : ScheduleEffect;

/// <summary>What <see cref="ScheduleMachine.Advance"/> decided: one effect to do now (or none), and when to look
/// again (null: only a request or a watched workflow's close wakes the schedule).</summary>
public sealed record ScheduleDecision(ScheduleEffect? Effect, DateTimeOffset? NextWake);

/// <summary>How a workflow the schedule started ended, as the runner observed it.</summary>
public sealed record ScheduledRunClosed(
    string WorkflowId, string RunId, WorkflowExecutionStatus Status, DateTimeOffset CloseTime,
    Temporalio.Api.Common.V1.Payloads? Result, Temporalio.Api.Failure.V1.Failure? Failure);
