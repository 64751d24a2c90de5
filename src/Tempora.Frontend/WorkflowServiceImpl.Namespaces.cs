using Grpc.Core;
using Tempora.Core.Errors;
using Tempora.Frontend.Validation;
using Tempora.History;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.Replication.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>The namespace RPCs of WorkflowService (DeleteNamespace is OperatorService's).</summary>
internal partial class WorkflowServiceImpl
{
    private const int DefaultNamespacePageSize = 100;

    public virtual async Task<RegisterNamespaceResponse> RegisterNamespace(RegisterNamespaceRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Namespace))
        {
            throw new InvalidArgumentException("Namespace not set on request.");
        }
        if (request.Namespace.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException("Namespace length exceeds limit.");
        }
        if (request.WorkflowExecutionRetentionPeriod is { } retention)
        {
            history.Namespaces.Retention.Validate(retention);
        }
        UnsupportedFields.Check(request);
        var info = new NamespaceInfo
        {
            Name = request.Namespace,
            Description = request.Description,
            OwnerEmail = request.OwnerEmail,
        };
        info.Data.Add(request.Data);
        var config = new NamespaceConfig { WorkflowExecutionRetentionTtl = request.WorkflowExecutionRetentionPeriod };
        (config.HistoryArchivalState, config.HistoryArchivalUri) = NamespaceArchival.Register(
            request.HistoryArchivalState, request.HistoryArchivalUri, archival.History, "history", "RegisterNamespaceRequest.history");
        (config.VisibilityArchivalState, config.VisibilityArchivalUri) = NamespaceArchival.Register(
            request.VisibilityArchivalState, request.VisibilityArchivalUri, archival.Visibility, "visibility", "RegisterNamespaceRequest.visibility");
        await history.Namespaces.RegisterAsync(info, config, context.CancellationToken);
        return new RegisterNamespaceResponse();
    }

    /// <summary>Any state, Deleted included: as Temporal's, this read bypasses the namespace state check.</summary>
    public virtual async Task<DescribeNamespaceResponse> DescribeNamespace(DescribeNamespaceRequest request, ServerCallContext context)
    {
        if (!string.IsNullOrEmpty(request.Id) && !string.IsNullOrEmpty(request.Namespace))
        {
            throw new InvalidArgumentException("GetNamespace operation failed. Both ID and Name specified in request.");
        }
        var ns = string.IsNullOrEmpty(request.Id)
            ? await history.Namespaces.GetByNameAsync(request.Namespace, context.CancellationToken)
            : await history.Namespaces.GetByIdAsync(request.Id, context.CancellationToken);
        return Describe(ns);
    }

    /// <summary>
    /// Namespaces by name, a page at a time; the page token is the last name returned (as Temporal, 100 a page by
    /// default). Deleted ones only with <c>namespace_filter.include_deleted</c>, as Temporal's store lists them.
    /// </summary>
    public virtual async Task<ListNamespacesResponse> ListNamespaces(ListNamespacesRequest request, ServerCallContext context)
    {
        var pageSize = request.PageSize > 0 ? request.PageSize : DefaultNamespacePageSize;
        var after = request.NextPageToken.IsEmpty ? null : request.NextPageToken.ToStringUtf8();
        var includeDeleted = request.NamespaceFilter?.IncludeDeleted == true;
        var page = (await history.Namespaces.ListAsync(context.CancellationToken))
            .Where(ns => includeDeleted || NamespaceStates.Of(ns) != NamespaceState.Deleted)
            .Where(ns => after is null || string.CompareOrdinal(ns.Name, after) > 0)
            .OrderBy(ns => ns.Name, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var response = new ListNamespacesResponse();
        foreach (var ns in page.Take(pageSize))
        {
            response.Namespaces.Add(Describe(ns));
        }
        if (page.Count > pageSize)
        {
            response.NextPageToken = Google.Protobuf.ByteString.CopyFromUtf8(page[pageSize - 1].Name);
        }
        return response;
    }

    /// <summary>
    /// Changes what Temporal 1.28 lets you change: description, owner, data (merged), retention, and the state
    /// (Registered to Deprecated or Deleted, Deprecated to Deleted; Deleted this way only closes the namespace, as on
    /// Temporal: DeleteNamespace is what removes it). What this server does not do is refused by name
    /// (<see cref="UnsupportedFields"/>).
    /// </summary>
    public virtual async Task<UpdateNamespaceResponse> UpdateNamespace(UpdateNamespaceRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var info = ns.Info.Clone();
        var config = ns.Config.Clone();
        if (request.UpdateInfo is { } update)
        {
            if (!string.IsNullOrEmpty(update.Description))
            {
                info.Description = update.Description;
            }
            if (!string.IsNullOrEmpty(update.OwnerEmail))
            {
                info.OwnerEmail = update.OwnerEmail;
            }
            foreach (var (k, v) in update.Data)
            {
                info.Data[k] = v;
            }
            var current = NamespaceStates.Of(ns);
            if (update.State != NamespaceState.Unspecified && update.State != current)
            {
                NamespaceStates.CheckTransition(current, update.State);
                info.State = update.State;
            }
        }
        if (request.Config?.WorkflowExecutionRetentionTtl is { } retention)
        {
            history.Namespaces.Retention.Validate(retention);
            config.WorkflowExecutionRetentionTtl = retention;
        }
        if (request.Config is { } asked)
        {
            (config.HistoryArchivalState, config.HistoryArchivalUri) = NamespaceArchival.Update(
                (config.HistoryArchivalState, config.HistoryArchivalUri), asked.HistoryArchivalState, asked.HistoryArchivalUri,
                archival.History, "history", "UpdateNamespaceRequest.config.history");
            (config.VisibilityArchivalState, config.VisibilityArchivalUri) = NamespaceArchival.Update(
                (config.VisibilityArchivalState, config.VisibilityArchivalUri), asked.VisibilityArchivalState, asked.VisibilityArchivalUri,
                archival.Visibility, "visibility", "UpdateNamespaceRequest.config.visibility");
        }
        var updated = ns with { Info = info, Config = config };
        await history.Namespaces.UpdateAsync(updated, context.CancellationToken);
        var described = Describe(updated);
        return new UpdateNamespaceResponse
        {
            NamespaceInfo = described.NamespaceInfo,
            Config = described.Config,
            ReplicationConfig = described.ReplicationConfig,
        };
    }

    /// <summary>
    /// Sets the namespace Deprecated, as Temporal 1.28 still does for this deprecated RPC: its running workflows carry
    /// on and every request but a new start (StartWorkflowExecution, SignalWithStartWorkflowExecution) is still served.
    /// </summary>
    public virtual async Task<DeprecateNamespaceResponse> DeprecateNamespace(DeprecateNamespaceRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        var info = ns.Info.Clone();
        info.State = NamespaceState.Deprecated;
        await history.Namespaces.UpdateAsync(ns with { Info = info }, context.CancellationToken);
        return new DeprecateNamespaceResponse();
    }

    /// <summary>A namespace stored before archival existed shows Disabled, as Temporal's never-enabled state.</summary>
    private static NamespaceConfig WithArchivalStates(NamespaceConfig stored)
    {
        if (stored.HistoryArchivalState != ArchivalState.Unspecified && stored.VisibilityArchivalState != ArchivalState.Unspecified)
        {
            return stored;
        }
        var config = stored.Clone();
        if (config.HistoryArchivalState == ArchivalState.Unspecified)
        {
            config.HistoryArchivalState = ArchivalState.Disabled;
        }
        if (config.VisibilityArchivalState == ArchivalState.Unspecified)
        {
            config.VisibilityArchivalState = ArchivalState.Disabled;
        }
        return config;
    }

    private DescribeNamespaceResponse Describe(NamespaceRecord ns)
    {
        var info = ns.Info.Clone();
        info.Id = ns.Id;
        info.Name = ns.Name;
        info.State = NamespaceStates.Of(ns);
        // Only what works today is advertised; SDKs switch features on from these flags (temporal-compat.md §1.4).
        // ShutdownWorker does end the worker's outstanding polls (WorkerPolls), but worker_poll_complete_on_shutdown
        // stays off, as on Temporal 1.28: with it Core keeps polls the server cannot end — every poll while its
        // server is down — instead of calling them off (docs/compatibility.md).
        info.Capabilities = new NamespaceInfo.Types.Capabilities
        {
            SyncUpdate = true,
            AsyncUpdate = true,
            EagerWorkflowStart = history.EagerWorkflowStartEnabled, // system.enableEagerWorkflowStart, as upstream
        };
        return new DescribeNamespaceResponse
        {
            NamespaceInfo = info,
            Config = WithArchivalStates(ns.Config),
            ReplicationConfig = new NamespaceReplicationConfig
            {
                ActiveClusterName = "active",
                Clusters = { new ClusterReplicationConfig { ClusterName = "active" } },
            },
        };
    }
}
