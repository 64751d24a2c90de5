using Google.Protobuf.Collections;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>
/// Adds a peer's DescribeTaskQueue answer to this process's, as Temporal's root partition merges its partitions'
/// (matching_engine.go DescribeTaskQueue): backlog counts and rates add up, the backlog age is the larger one, and a
/// poller is listed once (polls fan out to every replica, so each sees the same workers), at its latest access.
/// </summary>
internal static class TaskQueueDescriptionMerge
{
    public static void Add(DescribeTaskQueueResponse into, DescribeTaskQueueResponse peer)
    {
        AddPollers(into.Pollers, peer.Pollers);
#pragma warning disable CS0612 // deprecated in the API, still what Temporal 1.28 answers
        if (into.TaskQueueStatus is { } status && peer.TaskQueueStatus is { } theirs)
        {
            status.BacklogCountHint += theirs.BacklogCountHint;
        }
        if (into.Stats is { } stats && peer.Stats is { } theirStats)
        {
            AddStats(stats, theirStats);
        }
        foreach (var (version, theirVersion) in peer.VersionsInfo)
        {
            if (!into.VersionsInfo.TryGetValue(version, out var ours))
            {
                into.VersionsInfo[version] = theirVersion;
                continue;
            }
            foreach (var (type, theirType) in theirVersion.TypesInfo)
            {
                if (!ours.TypesInfo.TryGetValue(type, out var ourType))
                {
                    ours.TypesInfo[type] = theirType;
                    continue;
                }
                AddPollers(ourType.Pollers, theirType.Pollers);
                if (ourType.Stats is { } typeStats && theirType.Stats is { } theirTypeStats)
                {
                    AddStats(typeStats, theirTypeStats);
                }
            }
        }
#pragma warning restore CS0612
    }

    private static void AddPollers(RepeatedField<PollerInfo> into, RepeatedField<PollerInfo> peer)
    {
        foreach (var poller in peer)
        {
            var known = into.FirstOrDefault(p => p.Identity == poller.Identity);
            if (known is null)
            {
                into.Add(poller);
            }
            else if (poller.LastAccessTime is { } seen && (known.LastAccessTime is null || seen > known.LastAccessTime))
            {
                known.LastAccessTime = seen;
            }
        }
    }

    private static void AddStats(TaskQueueStats into, TaskQueueStats peer)
    {
        into.ApproximateBacklogCount += peer.ApproximateBacklogCount;
        if (peer.ApproximateBacklogAge is { } age && (into.ApproximateBacklogAge is null || age.ToTimeSpan() > into.ApproximateBacklogAge.ToTimeSpan()))
        {
            into.ApproximateBacklogAge = age;
        }
        into.TasksAddRate += peer.TasksAddRate;
        into.TasksDispatchRate += peer.TasksDispatchRate;
    }
}
