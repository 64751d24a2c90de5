using Tempora.Core.Errors;

namespace Tempora.History.Validation;

/// <summary>
/// Task queue names Temporal keeps for itself: "/_sys/name/N" names a partition of "name", which only the server
/// addresses (common/tqid). A workflow, activity or poller naming one is refused, as Temporal refuses it.
/// </summary>
public static class TaskQueueNames
{
    public const string ReservedPrefix = "/_sys/";

    /// <summary>Throws InvalidArgument, in Temporal's words, when <paramref name="name"/> starts with the reserved prefix.</summary>
    public static void CheckNotReserved(string? name)
    {
        if (name is not null && name.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            throw new InvalidArgumentException($"task queue name cannot start with reserved prefix {ReservedPrefix}");
        }
    }

    /// <summary>
    /// A task queue a command names (empty: the workflow's own): at most <see cref="HistoryLimits.MaxIdLength"/>
    /// characters and not reserved, as Temporal's command validation checks it (tqid.NormalizeAndValidate).
    /// </summary>
    public static void CheckCommandQueue(string? name)
    {
        if (name is not null && name.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException("TaskQueue length exceeds limit.");
        }
        CheckNotReserved(name);
    }
}
