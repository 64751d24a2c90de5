using Tempora.Core.Errors;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.Replication.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// Request fields this server does not honour. A request that sets one is refused, naming the field, instead of being
/// accepted with the field dropped: InvalidArgument where Temporal refuses it too (or the value cannot be right here),
/// Unimplemented for a feature this server lacks. docs/compatibility.md ("Request fields") lists them all.
/// </summary>
internal static class UnsupportedFields
{
    /// <summary>The one cluster this server is (Temporal's default cluster name for a single cluster).</summary>
    private const string ClusterName = "active";

    public static void Check(RegisterNamespaceRequest r)
    {
        if (r.IsGlobalNamespace)
        {
            throw Invalid("RegisterNamespaceRequest.is_global_namespace", "this server has no multi-cluster replication");
        }
        if (!string.IsNullOrEmpty(r.ActiveClusterName) && r.ActiveClusterName != ClusterName)
        {
            throw new InvalidArgumentException($"Invalid cluster name: {r.ActiveClusterName} (RegisterNamespaceRequest.active_cluster_name; this server's one cluster is \"{ClusterName}\").");
        }
        CheckClusters(r.Clusters, "RegisterNamespaceRequest.clusters");
    }

    public static void Check(UpdateNamespaceRequest r)
    {
        if (r.Config is { } config)
        {
            if (config.BadBinaries?.Binaries.Count > 0)
            {
                throw Unimplemented("UpdateNamespaceRequest.config.bad_binaries");
            }
            if (config.CustomSearchAttributeAliases.Count > 0)
            {
                throw Unimplemented("UpdateNamespaceRequest.config.custom_search_attribute_aliases");
            }
        }
        if (r.ReplicationConfig is { } replication)
        {
            if (!string.IsNullOrEmpty(replication.ActiveClusterName) && replication.ActiveClusterName != ClusterName)
            {
                throw new InvalidArgumentException(
                    $"Invalid cluster name: {replication.ActiveClusterName} (UpdateNamespaceRequest.replication_config.active_cluster_name).");
            }
            CheckClusters(replication.Clusters, "UpdateNamespaceRequest.replication_config.clusters");
            if (replication.State is not (ReplicationState.Unspecified or ReplicationState.Normal))
            {
                throw Unimplemented("UpdateNamespaceRequest.replication_config.state");
            }
        }
        if (!string.IsNullOrEmpty(r.DeleteBadBinary))
        {
            // Temporal's answer when the checksum is not in the list, which here it never is.
            throw new InvalidArgumentException($"Bad binary checksum {r.DeleteBadBinary} doesn't exists.");
        }
        if (r.PromoteNamespace)
        {
            throw Invalid("UpdateNamespaceRequest.promote_namespace", "this server has no global namespaces");
        }
    }

    public static void Check(StartWorkflowExecutionRequest r, string message = nameof(StartWorkflowExecutionRequest))
    {
        CompletionCallbackValidation.Check(r.CompletionCallbacks);
        if (r.EagerWorkerDeploymentOptions is not null)
        {
            throw Unimplemented($"{message}.eager_worker_deployment_options", "this server has no worker versioning");
        }
        if (r.TimeSkippingConfig is not null)
        {
            throw Unimplemented($"{message}.time_skipping_config");
        }
    }

    public static void Check(SignalWithStartWorkflowExecutionRequest r)
    {
        if (r.TimeSkippingConfig is not null)
        {
            throw Unimplemented("SignalWithStartWorkflowExecutionRequest.time_skipping_config");
        }
    }

    /// <summary>
    /// Update-with-start: each operation's own fields, and what Temporal refuses in a start of that kind. As in Temporal,
    /// a refused operation is reported in the per-operation statuses, the others as aborted.
    /// </summary>
    public static void Check(ExecuteMultiOperationRequest r)
    {
        for (var i = 0; i < r.Operations.Count; i++)
        {
            try
            {
                Check(r.Operations[i]);
            }
            catch (TemporaException e) when (e is InvalidArgumentException or UnimplementedException or PermissionDeniedException)
            {
                throw new MultiOperationException(i, e, earlierAborted: true);
            }
        }
    }

    private static void Check(ExecuteMultiOperationRequest.Types.Operation operation)
    {
        {
            Tempora.History.Validation.WellFormedFields.Check(operation);
            if (operation.StartWorkflow is { } start)
            {
                Check(start, "ExecuteMultiOperationRequest.operations.start_workflow");
                if (!string.IsNullOrEmpty(start.CronSchedule))
                {
                    throw new InvalidArgumentException("CronSchedule is not allowed.");
                }
                if (start.RequestEagerExecution)
                {
                    throw new InvalidArgumentException("RequestEagerExecution is not supported.");
                }
                if (start.WorkflowStartDelay is { } delay && delay.ToTimeSpan() > TimeSpan.Zero)
                {
                    throw new InvalidArgumentException("WorkflowStartDelay is not supported.");
                }
            }
            if (operation.UpdateWorkflow is { } update)
            {
                Check(update, "ExecuteMultiOperationRequest.operations.update_workflow");
                if (!string.IsNullOrEmpty(update.FirstExecutionRunId))
                {
                    throw new InvalidArgumentException("FirstExecutionRunId is not allowed.");
                }
            }
        }
    }

    public static void Check(UpdateWorkflowExecutionRequest r, string message = nameof(UpdateWorkflowExecutionRequest))
    {
        if (r.WaitPolicy?.LifecycleStage == UpdateWorkflowExecutionLifecycleStage.Admitted)
        {
            // Temporal's frontend refuses it in these words.
            throw new PermissionDeniedException("UpdateWorkflowExecution issued asynchronously and waiting on update admitted is not supported.");
        }
        if (r.Request is { } request)
        {
            if (request.CompletionCallbacks.Count > 0)
            {
                throw Unimplemented($"{message}.request.completion_callbacks");
            }
            if (request.Links.Count > 0)
            {
                throw Unimplemented($"{message}.request.links");
            }
        }
    }

    public static void Check(PollWorkflowTaskQueueRequest r)
    {
        CheckVersioning(r.WorkerVersionCapabilities, r.DeploymentOptions, nameof(PollWorkflowTaskQueueRequest));
    }

    public static void Check(PollActivityTaskQueueRequest r)
    {
        CheckVersioning(r.WorkerVersionCapabilities, r.DeploymentOptions, nameof(PollActivityTaskQueueRequest));
    }

    public static void Check(PollNexusTaskQueueRequest r)
    {
        CheckVersioning(r.WorkerVersionCapabilities, r.DeploymentOptions, nameof(PollNexusTaskQueueRequest));
    }

    public static void Check(RespondWorkflowTaskCompletedRequest r)
    {
#pragma warning disable CS0612, CS0618 // the v0.30 deployment field, which 1.28 accepts in place of versioned options
        var legacyDeployment = r.Deployment is not null;
#pragma warning restore CS0612, CS0618
        if (r.VersioningBehavior != VersioningBehavior.Unspecified && !legacyDeployment && r.DeploymentOptions?.WorkerVersioningMode != WorkerVersioningMode.Versioned)
        {
            // Temporal 1.28's answer: a behavior belongs to a worker in versioned mode.
            throw new InvalidArgumentException("versioning behavior cannot be specified without deployment options being set with versioned mode");
        }
        if (r.PageNumber != 0 || r.IntermediatePage)
        {
            throw Unimplemented("RespondWorkflowTaskCompletedRequest.page_number", "a completion must come in one page");
        }
        foreach (var command in r.Commands)
        {
            if (!System.Enum.IsDefined(command.CommandType))
            {
                // Temporal's answer: the whole completion is refused, not the workflow task failed.
                throw new InvalidArgumentException($"Unknown command type: {(int)command.CommandType}.");
            }
        }
    }

    public static void Check(DescribeTaskQueueRequest r)
    {
        if (r.ReportConfig)
        {
            throw Unimplemented("DescribeTaskQueueRequest.report_config");
        }
    }

    /// <summary>The v0.1/v0.2 versioning (use_versioning) stays refused, as 1.28 refuses the data APIs it needs;
    /// VERSIONED deployment options are served (registration and the version's queue).</summary>
    private static void CheckVersioning(Temporalio.Api.Common.V1.WorkerVersionCapabilities? capabilities,
        Temporalio.Api.Deployment.V1.WorkerDeploymentOptions? deployment, string message)
    {
        if (capabilities?.UseVersioning == true)
        {
            throw Unimplemented($"{message}.worker_version_capabilities.use_versioning", "the deprecated build-id versioning; use worker deployments");
        }
    }

    private static void CheckClusters(IEnumerable<ClusterReplicationConfig> clusters, string field)
    {
        foreach (var cluster in clusters)
        {
            if (cluster.ClusterName != ClusterName)
            {
                throw new InvalidArgumentException($"Invalid cluster name: {cluster.ClusterName} ({field}; this server's one cluster is \"{ClusterName}\").");
            }
        }
    }

    public static void Check(PauseActivityRequest r)
    {
        if (!string.IsNullOrEmpty(r.RequestId))
        {
            throw Unimplemented("PauseActivityRequest.request_id", "Temporal 1.28 has no such field; pausing twice changes nothing anyway");
        }
    }

    public static void Check(ResetActivityRequest r)
    {
        if (r.HasMatchAll)
        {
            throw Unimplemented("ResetActivityRequest.match_all", "Temporal 1.28 has no such field; name the activities by type");
        }
    }

    public static void Check(UpdateActivityOptionsRequest r)
    {
        if (r.HasMatchAll)
        {
            throw Unimplemented("UpdateActivityOptionsRequest.match_all", "Temporal 1.28 has no such field; name the activities by type");
        }
        foreach (var (field, set) in new[] { ("priority", r.ActivityOptions?.Priority is not null), ("start_delay", r.ActivityOptions?.StartDelay is not null) })
        {
            var camel = field == "start_delay" ? "startDelay" : field;
            var masked = r.UpdateMask?.Paths.Any(p => p == field || p == camel || p.StartsWith(field + ".", StringComparison.Ordinal)
                || p.StartsWith(camel + ".", StringComparison.Ordinal)) == true;
            if (set || masked)
            {
                throw Unimplemented($"UpdateActivityOptionsRequest.activity_options.{field}", "Temporal 1.28's activity options have no such field");
            }
        }
    }

    public static void Check(UpdateWorkflowExecutionOptionsRequest r)
    {
        var options = r.WorkflowExecutionOptions;
        if (options?.Priority is not null)
        {
            throw Unimplemented("UpdateWorkflowExecutionOptionsRequest.workflow_execution_options.priority", "Temporal 1.28's workflow options have no such field");
        }
        if (options?.TimeSkippingConfig is not null)
        {
            throw Unimplemented("UpdateWorkflowExecutionOptionsRequest.workflow_execution_options.time_skipping_config", "no time skipping");
        }
    }

    // Newer than 1.28: setting a version no poller has registered yet (allow_no_pollers), and per-task-queue stats of a
    // version (report_task_queue_stats).
    public static void Check(SetWorkerDeploymentCurrentVersionRequest r)
    {
        if (r.AllowNoPollers)
        {
            throw Unimplemented("SetWorkerDeploymentCurrentVersionRequest.allow_no_pollers", "a version must be registered by its pollers first");
        }
    }

    public static void Check(SetWorkerDeploymentRampingVersionRequest r)
    {
        if (r.AllowNoPollers)
        {
            throw Unimplemented("SetWorkerDeploymentRampingVersionRequest.allow_no_pollers", "a version must be registered by its pollers first");
        }
    }

    public static void Check(DescribeWorkerDeploymentVersionRequest r)
    {
        if (r.ReportTaskQueueStats)
        {
            throw Unimplemented("DescribeWorkerDeploymentVersionRequest.report_task_queue_stats");
        }
    }

    private static UnimplementedException Unimplemented(string field, string? why = null) =>
        new($"{field} is not supported by this server{(why is null ? "" : $" ({why})")}.");

    private static InvalidArgumentException Invalid(string field, string why) =>
        new($"{field} is not supported by this server ({why}).");
}
