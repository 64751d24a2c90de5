using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Protocol.V1;
using Temporalio.Api.Update.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

/// <summary>
/// Workflow updates (temporal-compat.md §5.11). An update is admitted in memory, delivered to the worker as a
/// protocol message in the next workflow task, and accepted (WorkflowExecutionUpdateAccepted), rejected (no event)
/// or completed (WorkflowExecutionUpdateCompleted) by the worker's reply. Callers wait for the stage they asked for.
/// A task scheduled only to deliver updates is speculative: kept in memory, and dropped without a trace when the
/// worker rejects every update in it.
/// </summary>
public sealed partial class HistoryEngine
{
    private enum UpdateProgress
    {
        Unknown,
        Admitted,
        Accepted,
        Completed,
    }

    public async Task<UpdateWorkflowExecutionResponse> UpdateWorkflowExecutionAsync(NamespaceRecord ns, UpdateWorkflowExecutionRequest r,
        TimeSpan maxWait, CancellationToken ct)
    {
        var updateId = ValidateUpdate(r);
        var key = await ResolveAsync(ns.Id, r.WorkflowExecution, r.FirstExecutionRunId, ct);
        await UpdateAsync(key, (t, ctx) =>
        {
            var s = t.State;
            if (!string.IsNullOrEmpty(r.FirstExecutionRunId) && s.FirstExecutionRunId != r.FirstExecutionRunId)
            {
                throw new EntityNotFoundException("workflow execution not found"); // the run is of another chain (upstream's check)
            }
            if (s.Updates.ContainsKey(updateId))
            {
                return 0; // admitted by an event or accepted already: attach to it
            }
            if (ctx.Updates.ContainsKey(updateId))
            {
                // The same update again (a client retry): attach, and make sure a workflow task will carry it, since
                // a speculative task is lost when the cached state is dropped.
                t.ScheduleSpeculativeWorkflowTask();
                return 0;
            }
            if (!s.IsOpen)
            {
                throw new EntityNotFoundException(AlreadyCompleted);
            }
            if (s.WorkflowTaskAttempt >= 3)
            {
                throw new WorkflowNotReadyException("Workflow task is failing; the update cannot be delivered until the workflow makes progress.");
            }
            if (InFlightUpdates(s, ctx) >= HistoryLimits.MaxInFlightUpdates)
            {
                // Upstream's registry.checkInFlightLimit; a retry of an update already in flight attached above.
                throw new ResourceExhaustedException(
                    $"limit on number of concurrent in-flight updates has been reached ({HistoryLimits.MaxInFlightUpdates})",
                    ResourceExhaustedCause.ConcurrentLimit, ResourceExhaustedScope.Namespace);
            }
            ctx.Updates[updateId] = new AdmittedUpdate(r.Request);
            t.ScheduleSpeculativeWorkflowTask(); // no-op when one is pending; that one will carry the update
            return 0;
        }, ct);
        var stage = r.WaitPolicy?.LifecycleStage ?? UpdateWorkflowExecutionLifecycleStage.Unspecified;
        return await WaitForUpdateAsync(key, updateId, stage, maxWait, ct);
    }

    /// <summary>The checks an update request must pass before anything happens; returns its update id.</summary>
    private string ValidateUpdate(UpdateWorkflowExecutionRequest r)
    {
        if (r.Request is null)
        {
            throw new InvalidArgumentException("Request is not set on request.");
        }
        r.Request.Meta ??= new Temporalio.Api.Update.V1.Meta();
        if (string.IsNullOrEmpty(r.Request.Meta.UpdateId))
        {
            r.Request.Meta.UpdateId = Guid.NewGuid().ToString(); // as Temporal's frontend: the update gets an id
        }
        var updateId = r.Request.Meta.UpdateId;
        if (string.IsNullOrEmpty(r.Request.Input?.Name))
        {
            throw new InvalidArgumentException("Update name is not set on request.");
        }
        CheckLength(updateId, "UpdateId");
        CheckBlob(r.Request.Input.Args, "update args");
        CheckBlob(r.Request.Input.Header, "header");
        return updateId;
    }

    public async Task<PollWorkflowExecutionUpdateResponse> PollWorkflowExecutionUpdateAsync(NamespaceRecord ns, PollWorkflowExecutionUpdateRequest r,
        TimeSpan maxWait, CancellationToken ct)
    {
        var updateId = r.UpdateRef?.UpdateId;
        if (string.IsNullOrEmpty(updateId))
        {
            throw new InvalidArgumentException("UpdateRef.UpdateId is not set on request.");
        }
        var key = await ResolveAsync(ns.Id, r.UpdateRef!.WorkflowExecution, null, ct);
        var stage = r.WaitPolicy?.LifecycleStage ?? UpdateWorkflowExecutionLifecycleStage.Unspecified;
        var response = await WaitForUpdateAsync(key, updateId, stage, maxWait, ct);
        return new PollWorkflowExecutionUpdateResponse { Outcome = response.Outcome, Stage = response.Stage, UpdateRef = response.UpdateRef };
    }

    /// <summary>Waits until the update reaches <paramref name="wanted"/> (default: completed) or the wait ends, then reports its stage.</summary>
    private async Task<UpdateWorkflowExecutionResponse> WaitForUpdateAsync(WorkflowKey key, string updateId,
        UpdateWorkflowExecutionLifecycleStage wanted, TimeSpan maxWait, CancellationToken ct)
    {
        if (wanted == UpdateWorkflowExecutionLifecycleStage.Unspecified)
        {
            wanted = UpdateWorkflowExecutionLifecycleStage.Completed;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(maxWait);
        while (true)
        {
            var (progress, completedEventId, rejection, aborted, continued, changed) = await ReadAsync(key, (s, ctx) =>
            {
                ctx.Updates.TryGetValue(updateId, out var admitted);
                var record = s.Updates.GetValueOrDefault(updateId);
                var p = record is { CompletedEventId: > 0 } || admitted?.Rejection is not null ? UpdateProgress.Completed
                    : record is { AcceptedEventId: > 0 } ? UpdateProgress.Accepted
                    : admitted is not null || record is { AdmittedEventId: > 0 } ? UpdateProgress.Admitted
                    : UpdateProgress.Unknown;
                return (p, record?.CompletedEventId ?? 0, admitted?.Rejection, admitted?.Aborted ?? false, admitted?.RunContinued ?? false,
                    ctx.Changed.Task);
            }, ct);
            if (aborted && continued)
            {
                // Upstream's AbortReasonWorkflowContinuing (consts.ErrWorkflowClosing): the SDKs retry it, and the retry
                // admits the update on the new run.
                throw new ResourceExhaustedException("workflow operation can not be applied because workflow is closing",
                    ResourceExhaustedCause.BusyWorkflow, ResourceExhaustedScope.Namespace);
            }
            if (aborted || (progress is UpdateProgress.Unknown or UpdateProgress.Admitted && await IsClosedAsync(key, ct)))
            {
                throw new EntityNotFoundException(AlreadyCompleted);
            }
            if (progress == UpdateProgress.Unknown)
            {
                throw new EntityNotFoundException($"update {updateId} not found");
            }
            if (progress == UpdateProgress.Accepted && await IsClosedAsync(key, ct))
            {
                // Accepted but the run closed first: upstream's server-side failure outcome.
                rejection = new Temporalio.Api.Update.V1.Outcome
                {
                    Failure = new Temporalio.Api.Failure.V1.Failure
                    {
                        Message = "Workflow Update failed because the Workflow completed before the Update completed.",
                        Source = "Server",
                        ApplicationFailureInfo = new Temporalio.Api.Failure.V1.ApplicationFailureInfo
                        {
                            Type = "AcceptedUpdateCompletedWorkflow",
                            NonRetryable = true,
                        },
                    },
                };
                progress = UpdateProgress.Completed;
            }
            var reached = progress switch
            {
                UpdateProgress.Completed => UpdateWorkflowExecutionLifecycleStage.Completed,
                UpdateProgress.Accepted => UpdateWorkflowExecutionLifecycleStage.Accepted,
                _ => UpdateWorkflowExecutionLifecycleStage.Admitted,
            };
            if (reached >= wanted || timeout.IsCancellationRequested)
            {
                var response = new UpdateWorkflowExecutionResponse
                {
                    UpdateRef = new UpdateRef
                    {
                        WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
                        UpdateId = updateId,
                    },
                    Stage = reached,
                };
                if (progress == UpdateProgress.Completed)
                {
                    response.Outcome = rejection ?? (await ReadEventsAsync(key, completedEventId, completedEventId + 1, ct))
                        .Single().WorkflowExecutionUpdateCompletedEventAttributes.Outcome;
                }
                return response;
            }
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // answer with the stage reached so far; the client asks again
            }
        }
    }

    /// <summary>Updates admitted (not yet answered) or accepted and not completed.</summary>
    private static int InFlightUpdates(MutableState s, ExecutionContext ctx)
    {
        var count = 0;
        foreach (var admitted in ctx.Updates.Values)
        {
            if (admitted.Rejection is null && !admitted.Aborted)
            {
                count++;
            }
        }
        foreach (var record in s.Updates.Values)
        {
            if (record.CompletedEventId == 0)
            {
                count++;
            }
        }
        return count;
    }

    private async Task<bool> IsClosedAsync(WorkflowKey key, CancellationToken ct) => await ReadAsync(key, (s, _) => !s.IsOpen, ct);

    /// <summary>
    /// Protocol messages carrying the run's admitted updates, for the workflow task being started. A task started by
    /// the completion that just accepted or rejected some (<paramref name="answered"/>, still admitted in memory until
    /// it commits) leaves those out: the worker would run their handlers again.
    /// </summary>
    private static List<Message> UpdateMessages(ExecutionContext ctx, long startedEventId, IReadOnlySet<string>? answered)
    {
        var messages = new List<Message>();
        foreach (var (id, update) in ctx.Updates)
        {
            if (update.Rejection is null && !update.Aborted && answered?.Contains(id) != true)
            {
                messages.Add(new Message
                {
                    Id = $"{id}/request",
                    ProtocolInstanceId = id,
                    EventId = startedEventId - 1,
                    Body = Any.Pack(update.Request),
                });
            }
        }
        return messages;
    }

    /// <summary>Update-with-start: a StartWorkflowExecution and an UpdateWorkflowExecution applied together.</summary>
    public async Task<ExecuteMultiOperationResponse> ExecuteMultiOperationAsync(NamespaceRecord ns, ExecuteMultiOperationRequest r,
        TimeSpan maxWait, CancellationToken ct)
    {
        if (r.Operations.Count != 2 || r.Operations[0].StartWorkflow is not { } start || r.Operations[1].UpdateWorkflow is not { } update)
        {
            throw new InvalidArgumentException("ExecuteMultiOperation supports exactly one StartWorkflow followed by one UpdateWorkflow.");
        }
        if (start.WorkflowId != update.WorkflowExecution?.WorkflowId || !string.IsNullOrEmpty(update.WorkflowExecution?.RunId))
        {
            throw new InvalidArgumentException("The update must target the started workflow id, without a run id.");
        }
        try
        {
            ValidateUpdate(update); // both operations are checked before either runs, as upstream's frontend does
        }
        catch (TemporaException e)
        {
            throw new MultiOperationException(1, e, earlierAborted: true);
        }
        StartWorkflowExecutionResponse started;
        try
        {
            started = await StartWorkflowExecutionAsync(ns, start, ct);
        }
        catch (TemporaException e)
        {
            throw new MultiOperationException(0, e);
        }
        UpdateWorkflowExecutionResponse updateResponse;
        try
        {
            updateResponse = await UpdateWorkflowExecutionAsync(ns, new UpdateWorkflowExecutionRequest
            {
                Namespace = update.Namespace,
                WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = start.WorkflowId, RunId = started.RunId },
                Request = update.Request,
                WaitPolicy = update.WaitPolicy,
            }, maxWait, ct);
        }
        catch (TemporaException e)
        {
            // Upstream reports the start as aborted when it used an existing run, and as done when it started one.
            throw new MultiOperationException(1, e, earlierAborted: !started.Started);
        }
        return new ExecuteMultiOperationResponse
        {
            Responses =
            {
                new ExecuteMultiOperationResponse.Types.Response { StartWorkflow = started },
                new ExecuteMultiOperationResponse.Types.Response { UpdateWorkflow = updateResponse },
            },
        };
    }
}
