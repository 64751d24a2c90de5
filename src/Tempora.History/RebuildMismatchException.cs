using Tempora.Core;

namespace Tempora.History;

/// <summary>A transition would store mutable state that its history does not give back (<see cref="HistoryOptions.VerifyRebuild"/>).</summary>
internal sealed class RebuildMismatchException(WorkflowKey key, string difference)
    : Exception($"Rebuild check failed for {key.WorkflowId}/{key.RunId}: rebuilding mutable state from history differs at {difference}")
{
    public WorkflowKey Key { get; } = key;
    public string Difference { get; } = difference;
}
