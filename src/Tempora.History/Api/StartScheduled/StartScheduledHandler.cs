using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// Starts a workflow for a schedule with the schedule's new state in the same transaction, on the process that owns
/// the workflow's shard: a due time is started exactly once, because the start and the record of it commit together.
/// When the schedule's row moved on meanwhile, <see cref="Persistence.Schedules.ScheduleConditionFailedException"/>
/// is thrown and nothing is written; the schedule re-reads and decides again.
/// </summary>
internal sealed class StartScheduledHandler(NamespaceRegistry namespaces, CrossRunSteps steps, WorkflowStarter starter, IRemoteRuns? remote)
{
    public async Task<ScheduledStartOutcome> StartAsync(ScheduledStartCall call, CancellationToken ct)
    {
        var workflowId = StartWorkflowExecutionRequest.Parser.ParseFrom(call.Request).WorkflowId;
        return await steps.OnOwnerAsync(call.NamespaceId, workflowId,
            () => StartHereAsync(call, ct), address => remote!.StartScheduledAsync(address, call, ct));
    }

    /// <summary>The workflow's side, run by the process that owns its shard.</summary>
    public async Task<ScheduledStartOutcome> StartHereAsync(ScheduledStartCall call, CancellationToken ct)
    {
        var request = StartWorkflowExecutionRequest.Parser.ParseFrom(call.Request);
        steps.RequireLocal(call.NamespaceId, request.WorkflowId);
        var ns = await namespaces.GetByIdAsync(call.NamespaceId, ct);
        var spec = StartSpec.Of(request) with { PresetRunId = call.RunId, Schedule = call.Schedule };
        try
        {
            await starter.StartAsync(ns, spec, null, WorkflowIdConflictPolicy.Fail, ct);
            return new ScheduledStartOutcome(true, null);
        }
        catch (WorkflowAlreadyStartedException running)
        {
            return new ScheduledStartOutcome(false, running.RunId);
        }
    }
}
