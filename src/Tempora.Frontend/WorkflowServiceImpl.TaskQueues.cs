using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tempora.Core;
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
    /// <summary>What Temporal's legacy answer gives as the current version of a queue without worker versioning.</summary>
    private const string UnversionedVersionId = "__unversioned__";

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
    /// The one partition (or sticky queue) named, of the one task type asked (workflow when unspecified): its pollers,
    /// its status and stats when asked, and for a normal queue the versioning info of a queue without versioning.
    /// </summary>
    private DescribeTaskQueueResponse DescribeLegacy(NamespaceRecord ns, DescribedQueue queue, DescribeTaskQueueRequest request)
    {
        var snapshot = Snapshot(ns, queue.Name, request.TaskQueueType is TaskQueueType.Unspecified ? TaskQueueType.Workflow : request.TaskQueueType);
        var response = new DescribeTaskQueueResponse();
        response.Pollers.AddRange(snapshot.Pollers.Select(PollerInfoOf));
#pragma warning disable CS0612 // deprecated in the API, still what the legacy mode answers
        if (request.IncludeTaskQueueStatus)
        {
            // Read and ack levels and the task id block are Temporal's backlog bookkeeping, which Tempora does not have.
            response.TaskQueueStatus = new TaskQueueStatus { BacklogCountHint = snapshot.BacklogCount, RatePerSecond = snapshot.RatePerSecond };
        }
        if (!queue.Sticky)
        {
            response.VersioningInfo = new TaskQueueVersioningInfo { CurrentVersion = UnversionedVersionId };
        }
#pragma warning restore CS0612
        if (request.ReportStats)
        {
            response.Stats = StatsOf(snapshot);
        }
        return response;
    }

    /// <summary>
    /// The whole queue by task type (workflow and activity unless asked otherwise), under the one version that exists
    /// without worker versioning, the unversioned one (key ""): selected when no selection is given or it asks for the
    /// unversioned queue; "all active" adds the versioned queues that are loaded, of which there are none.
    /// </summary>
    private DescribeTaskQueueResponse DescribeEnhanced(NamespaceRecord ns, DescribedQueue queue, DescribeTaskQueueRequest request)
    {
        var response = new DescribeTaskQueueResponse();
#pragma warning disable CS0612 // deprecated in the API for the version-based view, which Temporal 1.28 still serves
        if (request.Versions is { Unversioned: false })
        {
            return response;
        }
        IEnumerable<TaskQueueType> types = request.TaskQueueTypes.Count > 0
            ? request.TaskQueueTypes
            : [TaskQueueType.Workflow, TaskQueueType.Activity];
        var version = new TaskQueueVersionInfo();
        foreach (var type in types.Distinct())
        {
            var snapshot = Snapshot(ns, queue.Name, type);
            var info = new TaskQueueTypeInfo();
            if (request.ReportPollers)
            {
                info.Pollers.AddRange(snapshot.Pollers.Select(PollerInfoOf));
            }
            if (request.ReportStats)
            {
                info.Stats = StatsOf(snapshot);
            }
            version.TypesInfo[(int)type] = info;
        }
        if (request.ReportTaskReachability)
        {
            // Temporal's reachability of the unversioned queue when no assignment rule exists: new tasks go there.
            version.TaskReachability = BuildIdTaskReachability.Reachable;
        }
        response.VersionsInfo[""] = version;
#pragma warning restore CS0612
        return response;
    }

    /// <summary>
    /// One queue of one type as this process holds it. An unspecified type in a list of types has no queue: it is
    /// described as the empty queue it is.
    /// </summary>
    private TaskQueueSnapshot Snapshot(NamespaceRecord ns, string name, TaskQueueType type) => type switch
    {
        TaskQueueType.Workflow => matching.Describe(new TaskQueueKey(ns.Id, name, TaskKind.Workflow)),
        TaskQueueType.Activity => matching.Describe(new TaskQueueKey(ns.Id, name, TaskKind.Activity)),
        TaskQueueType.Nexus => matching.Describe(new TaskQueueKey(ns.Id, name, TaskKind.Nexus)),
        _ => TaskQueueSnapshot.Empty,
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
