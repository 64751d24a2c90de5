using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using TaskQueue = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace Tempora.Frontend.Validation;

/// <summary>
/// The task queue DescribeTaskQueue, ListTaskQueuePartitions and PollNexusTaskQueue name, checked in Temporal's words (common/tqid:
/// NormalizeAndValidate, PartitionFromProto; the enhanced mode's checks in the frontend's DescribeTaskQueue).
/// </summary>
internal static class TaskQueueRequestValidation
{
    /// <summary>How Temporal names a partition other than the root: "/_sys/&lt;name&gt;/&lt;n&gt;" (tqid.RpcName).</summary>
    private const string PartitionPrefix = TaskQueueNames.ReservedPrefix;

    /// <summary>The queue a DescribeTaskQueue request describes; throws InvalidArgument as Temporal 1.28 does.</summary>
    public static DescribedQueue Validate(DescribeTaskQueueRequest request)
    {
        var enhanced = request.ApiMode == DescribeTaskQueueMode.Enhanced;
        // The legacy mode describes any one partition; the enhanced mode the whole queue, by its root name.
        CheckName(request.TaskQueue, reservedAllowed: !enhanced);
        var taskQueue = request.TaskQueue!;
        var sticky = taskQueue.Kind == TaskQueueKind.Sticky;
        if (enhanced && sticky)
        {
            throw new InvalidArgumentException(
                "Enhanced DescribeTaskQueue is not valid for a sticky queue, use api_mode=UNSPECIFIED or a normal queue.");
        }
        var isRoot = sticky ? false : IsRootPartition(taskQueue.Name);
        if (!string.IsNullOrEmpty(taskQueue.NormalName) && !sticky)
        {
            throw new InvalidArgumentException(enhanced
                ? "Task Queue Partition invalid, use a different Task Queue or Task Queue Type"
                : $"only sticky queues can have normal name. tq: {taskQueue.Name}, normal name: {taskQueue.NormalName}");
        }
        if (!enhanced && request.ReportStats && !isRoot)
        {
            throw new InvalidArgumentException("DescribeTaskQueue stats are only supported for the root partition");
        }
        return new DescribedQueue(taskQueue.Name, sticky, isRoot);
    }

    /// <summary>The queue ListTaskQueuePartitions lists; its name must be a root name (tqid.NormalizeAndValidate).</summary>
    public static string Validate(ListTaskQueuePartitionsRequest request)
    {
        CheckName(request.TaskQueue, reservedAllowed: false);
        return request.TaskQueue!.Name;
    }

    /// <summary>The queue a PollNexusTaskQueue names: a root name, as tqid.NormalizeAndValidate checks it.</summary>
    public static string Validate(TaskQueue? taskQueue)
    {
        CheckName(taskQueue, reservedAllowed: false);
        return taskQueue!.Name;
    }

    private static void CheckName(TaskQueue? taskQueue, bool reservedAllowed)
    {
        if (taskQueue is null)
        {
            throw new InvalidArgumentException("taskQueue is not set");
        }
        if (string.IsNullOrEmpty(taskQueue.Name))
        {
            throw new InvalidArgumentException("missing task queue name");
        }
        if (taskQueue.Name.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException("taskQueue length exceeds limit");
        }
        if (!reservedAllowed)
        {
            TaskQueueNames.CheckNotReserved(taskQueue.Name);
        }
        if (taskQueue.Kind == TaskQueueKind.Sticky && taskQueue.NormalName.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException("taskQueue length exceeds limit");
        }
    }

    /// <summary>False for a well-formed non-root partition name; InvalidArgument for a malformed one (tqid.parseRpcName).</summary>
    private static bool IsRootPartition(string name)
    {
        if (!name.StartsWith(PartitionPrefix, StringComparison.Ordinal))
        {
            return true;
        }
        var suffixAt = name.LastIndexOf('/');
        if (suffixAt <= PartitionPrefix.Length
            || !int.TryParse(name.AsSpan(suffixAt + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var partition)
            || partition <= 0)
        {
            throw new InvalidArgumentException("invalid task queue partition name " + name);
        }
        var baseName = name[PartitionPrefix.Length..suffixAt];
        if (baseName.StartsWith(PartitionPrefix, StringComparison.Ordinal))
        {
            throw new InvalidArgumentException("task queue family name cannot have prefix /_sys/ " + baseName);
        }
        return false;
    }
}

/// <summary>
/// The queue a DescribeTaskQueue names: its name as given (a partition other than the root, which Tempora does not
/// have, is described as the empty queue it is), whether it is a worker's sticky queue, and whether it is a root.
/// </summary>
internal readonly record struct DescribedQueue(string Name, bool Sticky, bool IsRoot);
