using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Frontend.Validation;
using Tempora.Matching;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>
/// Task-queue insight: DescribeTaskQueue in both of Temporal 1.28's modes, and ListTaskQueuePartitions. Tempora keeps
/// one partition per queue and task type, held in part by each replica of a cluster (the backlog of its own shards'
/// runs; every poller, since polls fan out): each replica describes what it holds and the one asked adds the others'.
/// </summary>
internal partial class WorkflowServiceImpl
{

    public virtual async Task<DescribeTaskQueueResponse> DescribeTaskQueue(DescribeTaskQueueRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context); // Temporal looks the namespace up first here
        var queue = TaskQueueRequestValidation.Validate(request);
        UnsupportedFields.Check(request);
        var response = request.ApiMode == DescribeTaskQueueMode.Enhanced
            ? DescribeEnhanced(ns, queue, request)
            : DescribeLegacy(ns, queue, request);
        foreach (var answer in await peers.AskPeersAsync<DescribeTaskQueueRequest, DescribeTaskQueueResponse>(request, context))
        {
            // A replica that is gone or busy is left out: describe what the others hold.
            TaskQueueDescriptionMerge.Add(response, answer);
        }
        return response;
    }

    /// <summary>
    /// The one partition (or sticky queue) named, of the one task type asked (workflow when unspecified): the pollers
    /// of every version, the unversioned queue's status and stats when asked, and for a normal queue where its new
    /// tasks go (the current and ramping worker deployment versions), as Temporal's legacy answer gives them.
    /// </summary>
    private DescribeTaskQueueResponse DescribeLegacy(NamespaceRecord ns, DescribedQueue queue, DescribeTaskQueueRequest request)
    {
        var type = request.TaskQueueType is TaskQueueType.Unspecified ? TaskQueueType.Workflow : request.TaskQueueType;
        var snapshot = Snapshot(ns, queue.Name, type, version: null);
        var response = new DescribeTaskQueueResponse();
        var kind = KindOf(type);
        if (kind is not null)
        {
            response.Pollers.AddRange(matching.PollersOfEveryVersion(new TaskQueueKey(ns.Id, queue.Name, kind.Value)).Select(PollerInfoOf));
        }
#pragma warning disable CS0612 // deprecated in the API, still what the legacy mode answers
        if (request.IncludeTaskQueueStatus)
        {
            // Read and ack levels and the task id block are Temporal's backlog bookkeeping, which Tempora does not have.
            response.TaskQueueStatus = new TaskQueueStatus { BacklogCountHint = snapshot.BacklogCount, RatePerSecond = snapshot.RatePerSecond };
        }
        if (!queue.Sticky)
        {
            response.VersioningInfo = VersioningInfoOf(kind is null ? TaskQueueRouting.Unversioned : routing.For(ns.Id, queue.Name, kind.Value));
        }
#pragma warning restore CS0612
        if (request.ReportStats)
        {
            response.Stats = StatsOf(snapshot);
        }
        return response;
    }

    /// <summary>What the legacy answer says of a queue's routing; "__unversioned__" stands for no version.</summary>
    private static TaskQueueVersioningInfo VersioningInfoOf(TaskQueueRouting routing)
    {
#pragma warning disable CS0612 // the v0.31 strings are deprecated, still answered by Temporal 1.28
        var info = new TaskQueueVersioningInfo
        {
            CurrentVersion = routing.Current?.ToCanonicalString() ?? DeploymentVersion.UnversionedString,
            CurrentDeploymentVersion = routing.Current?.ToProto(),
        };
        if (routing.IsRamping)
        {
            info.RampingVersion = routing.Ramping?.ToCanonicalString() ?? DeploymentVersion.UnversionedString;
            info.RampingDeploymentVersion = routing.Ramping?.ToProto();
            info.RampingVersionPercentage = routing.RampPercentage;
        }
#pragma warning restore CS0612
        return info;
    }

    /// <summary>
    /// The whole queue by task type (workflow and activity unless asked otherwise), by version: the unversioned one
    /// (key "") when no selection is given or it asks for it; each build id asked, a worker deployment version in its
    /// <c>name:build</c> form (any other id names a queue that never has pollers here, answered empty, as Temporal
    /// answers a queue it has just loaded); "all active" adds every version loaded on some replica.
    /// </summary>
    private DescribeTaskQueueResponse DescribeEnhanced(NamespaceRecord ns, DescribedQueue queue, DescribeTaskQueueRequest request)
    {
        var response = new DescribeTaskQueueResponse();
#pragma warning disable CS0612 // deprecated in the API for the version-based view, which Temporal 1.28 still serves
        IEnumerable<TaskQueueType> types = request.TaskQueueTypes.Count > 0
            ? request.TaskQueueTypes
            : [TaskQueueType.Workflow, TaskQueueType.Activity];
        types = [.. types.Distinct()];
        var selected = new Dictionary<string, DeploymentVersion?>(StringComparer.Ordinal);
        if (request.Versions is null || request.Versions.Unversioned)
        {
            selected[""] = null;
        }
        foreach (var buildId in request.Versions?.BuildIds ?? [])
        {
            selected[buildId] = DeploymentVersion.TryParseV32(buildId, out var version) ? version : null;
        }
        if (request.Versions?.AllActive == true)
        {
            foreach (var type in types)
            {
                if (KindOf(type) is { } kind)
                {
                    foreach (var loaded in matching.LoadedVersions(new TaskQueueKey(ns.Id, queue.Name, kind)))
                    {
                        selected.TryAdd(loaded.ToSearchAttributeString(), loaded);
                    }
                }
            }
        }
        foreach (var (id, version) in selected)
        {
            // A build id that is no deployment version names a queue nobody polls here: empty, as Temporal answers it.
            response.VersionsInfo[id] = id.Length > 0 && version is null
                ? EmptyVersionInfo(types, request)
                : VersionInfo(ns, queue, types, version, request);
        }
#pragma warning restore CS0612
        return response;
    }

    private TaskQueueVersionInfo EmptyVersionInfo(IEnumerable<TaskQueueType> types, DescribeTaskQueueRequest request)
    {
        var info = new TaskQueueVersionInfo();
        foreach (var type in types)
        {
            info.TypesInfo[(int)type] = TypeInfo(TaskQueueSnapshot.Empty, request);
        }
        return info;
    }

    private static TaskQueueTypeInfo TypeInfo(TaskQueueSnapshot snapshot, DescribeTaskQueueRequest request)
    {
        var info = new TaskQueueTypeInfo();
        if (request.ReportPollers)
        {
            info.Pollers.AddRange(snapshot.Pollers.Select(PollerInfoOf));
        }
        if (request.ReportStats)
        {
            info.Stats = StatsOf(snapshot);
        }
        return info;
    }

    private TaskQueueVersionInfo VersionInfo(NamespaceRecord ns, DescribedQueue queue, IEnumerable<TaskQueueType> types,
        DeploymentVersion? deploymentVersion, DescribeTaskQueueRequest request)
    {
#pragma warning disable CS0612 // deprecated in the API for the version-based view, which Temporal 1.28 still serves
        var version = new TaskQueueVersionInfo();
        foreach (var type in types)
        {
            version.TypesInfo[(int)type] = TypeInfo(Snapshot(ns, queue.Name, type, deploymentVersion), request);
        }
        if (request.ReportTaskReachability)
        {
            // Temporal's reachability without assignment rules (the v0.2 rules, refused here): reachable.
            version.TaskReachability = BuildIdTaskReachability.Reachable;
        }
#pragma warning restore CS0612
        return version;
    }

    /// <summary>
    /// One queue of one type as this process holds it. An unspecified type in a list of types has no queue: it is
    /// described as the empty queue it is.
    /// </summary>
    private TaskQueueSnapshot Snapshot(NamespaceRecord ns, string name, TaskQueueType type, DeploymentVersion? version) =>
        KindOf(type) is { } kind ? matching.Describe(new TaskQueueKey(ns.Id, name, kind, version)) : TaskQueueSnapshot.Empty;

    private static TaskKind? KindOf(TaskQueueType type) => type switch
    {
        TaskQueueType.Workflow => TaskKind.Workflow,
        TaskQueueType.Activity => TaskKind.Activity,
        TaskQueueType.Nexus => TaskKind.Nexus,
        _ => null,
    };

    private static PollerInfo PollerInfoOf(PollerRecord poller) => new()
    {
        Identity = poller.Identity,
        LastAccessTime = Timestamp.FromDateTimeOffset(poller.LastAccessTime),
        RatePerSecond = poller.RatePerSecond,
    };

    private static TaskQueueStats StatsOf(TaskQueueSnapshot snapshot) => new()
    {
        ApproximateBacklogCount = snapshot.BacklogCount,
        ApproximateBacklogAge = Duration.FromTimeSpan(snapshot.BacklogAge),
        TasksAddRate = snapshot.TasksAddRate,
        TasksDispatchRate = snapshot.TasksDispatchRate,
    };

    /// <summary>
    /// The partitions of the queue's workflow and activity types: one each, the root, named as the queue, and owned by
    /// the process that answers (on a cluster every replica serves a part of each queue, so the one asked is as much its
    /// owner as any).
    /// </summary>
    public virtual async Task<ListTaskQueuePartitionsResponse> ListTaskQueuePartitions(ListTaskQueuePartitionsRequest request, ServerCallContext context)
    {
        var name = TaskQueueRequestValidation.Validate(request); // Temporal checks the queue before the namespace here
        await NamespaceAsync(request.Namespace, context);
        var owner = host.Value;
        return new ListTaskQueuePartitionsResponse
        {
            ActivityTaskQueuePartitions = { new TaskQueuePartitionMetadata { Key = name, OwnerHostName = owner } },
            WorkflowTaskQueuePartitions = { new TaskQueuePartitionMetadata { Key = name, OwnerHostName = owner } },
        };
    }
}
