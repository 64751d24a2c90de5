using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Metrics;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed partial class RespondWorkflowTaskCompletedHandler(
    NamespaceRegistry namespaces, WorkflowUpdater updater, WorkflowTaskResponses responses, PayloadLimits limits, IMetrics metrics, ILogger logger,
    Tempora.Persistence.Nexus.INexusEndpointStore? nexusEndpoints)
{
    public async Task<RespondWorkflowTaskCompletedResponse> HandleAsync(
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
            throw new InvalidArgumentException($"{WorkflowTaskFailures.CauseName(invalid.Cause)}: {invalid.Message}");
        }
        catch (CommandValidationException invalid)
        {
            // The completion was discarded with the cached state; fail the task in a fresh transition (§3.3 rule 6).
            await updater.UpdateAsync(token.Key, t =>
            {
                WorkflowTaskTokens.Check(t.State, token);
                var wft = t.State.WorkflowTask!;
                t.FailWorkflowTask(e => WorkflowTaskFailures.Event(e, wft, invalid.Cause, Transition.ServerFailure(invalid.Message), r.Identity));
                if (invalid.TerminatesWorkflow)
                {
                    t.Terminate(invalid.Message, null, "history-service");
                }
                return 0;
            }, ct);
            LogWorkflowTaskRejected(logger, token.NamespaceId, token.WorkflowId, token.RunId, invalid.Cause, invalid.Message);
            throw new InvalidArgumentException(invalid.Cause == WorkflowTaskFailedCause.UnhandledCommand
                ? "UnhandledCommand"
                : $"{WorkflowTaskFailures.CauseName(invalid.Cause)}: {invalid.Message}");
        }
        if (next is not null)
        {
            response.WorkflowTask = await responses.ResponseAsync(ns, next, ct);
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
            if (limits.IsBlobTooLarge(message.Body))
            {
                var type = message.Body.TypeUrl[(message.Body.TypeUrl.LastIndexOf('/') + 1)..];
                throw new CommandValidationException(WorkflowTaskFailedCause.BadUpdateWorkflowExecutionMessage,
                    $"Message type {type} exceeds size limit.", terminatesWorkflow: true);
            }
        }
    }

    /// <summary>
    /// The endpoints the completion's ScheduleNexusOperation commands name, read before the transition (which does no
    /// I/O). Every replica reads the registry itself, so an endpoint created through another is seen at once.
    /// </summary>
    private async Task<Dictionary<string, Tempora.Persistence.Nexus.NexusEndpointRecord>> NexusEndpointsAsync(
        RespondWorkflowTaskCompletedRequest r, CancellationToken ct)
    {
        var found = new Dictionary<string, Tempora.Persistence.Nexus.NexusEndpointRecord>(StringComparer.Ordinal);
        if (nexusEndpoints is null)
        {
            return found;
        }
        foreach (var command in r.Commands)
        {
            if (command.ScheduleNexusOperationCommandAttributes is { Endpoint: { Length: > 0 } name } && !found.ContainsKey(name)
                && await nexusEndpoints.GetByNameAsync(name, ct) is { } endpoint)
            {
                found[name] = endpoint;
            }
        }
        return found;
    }

    /// <summary>
    /// Applies a completion's commands. When they name a search attribute this replica's cached namespace lacks, the
    /// namespace is re-read and, if it changed, the completion applied once more: the attribute may have just been
    /// added through another replica.
    /// </summary>
    private async Task<(RespondWorkflowTaskCompletedResponse, StartedWorkflowTask?)> CompleteWorkflowTaskAsync(
        TaskToken token, RespondWorkflowTaskCompletedRequest r, NamespaceRecord ns, CancellationToken ct)
    {
        var endpoints = await NexusEndpointsAsync(r, ct);
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
            updater.UpdateAsync(token.Key, (t, ctx) =>
            {
                WorkflowTaskTokens.Check(t.State, token);
                var completion = new WorkflowTaskCompletion(t, r, ctx, current.CustomSearchAttributes, limits, endpoints);
                completion.Apply();
                if (r.QueryResults.Count > 0)
                {
                    t.AfterCommit.Add(() => BufferedQueries.Answer(ctx, r.QueryResults));
                }
                // The worker asked for the next task back (upstream's bypassTaskGeneration): a task this completion
                // scheduled starts here for it, and its history continues what the worker just had.
                StartedWorkflowTask? inline = null;
                if (r.ReturnNewWorkflowTask && t.State is { IsOpen: true, WorkflowTask: { IsStarted: false, Speculative: false } })
                {
                    var wft = t.StartWorkflowTaskInline(r.Identity, Guid.NewGuid().ToString());
                    inline = WorkflowTaskResponses.Started(t, ctx, wft, partialHistory: true, answeredQueries: r.QueryResults.Keys,
                        answeredUpdates: completion.AnsweredUpdates);
                }
                var response = new RespondWorkflowTaskCompletedResponse
                {
                    ResetHistoryEventId = completion.DiscardedSpeculativeTask ? t.State.NextEventId - 1 : 0,
                    ActivityTasks = { completion.EagerActivities.Select(a => ActivityTasks.Response(current, token.Key, t.State, a)) },
                };
                if (response.ActivityTasks.Count > 0)
                {
                    // Eager activities run on the run's own queue (ScheduleActivityTaskCommandHandler).
                    var (eagerCount, taskQueue) = (response.ActivityTasks.Count, t.State.TaskQueue);
                    t.AfterCommit.Add(() => metrics.Add(MetricNames.ActivityEagerExecution, eagerCount, current.Name, taskQueue));
                }
                return (response, inline);
            }, ct);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Workflow task of {WorkflowId}/{RunId} in namespace {NamespaceId} failed by the server: {Cause} {Detail}")]
    private static partial void LogWorkflowTaskRejected(ILogger logger, string namespaceId, string workflowId, string runId, WorkflowTaskFailedCause cause, string detail);
}
