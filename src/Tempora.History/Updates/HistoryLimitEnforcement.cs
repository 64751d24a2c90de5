using Tempora.History.Execution;

namespace Tempora.History.Updates;

/// <summary>A run whose history outgrows Temporal's limits is terminated in the same transition (§7).</summary>
internal static class HistoryLimitEnforcement
{
    public static void Apply(Transition t)
    {
        if (!t.State.IsOpen)
        {
            return;
        }
        if (t.State.NextEventId - 1 > HistoryLimits.HistoryCountError)
        {
            t.Terminate("Workflow history count exceeds limit.", null, "history-service");
        }
        else if (t.State.HistorySizeBytes > HistoryLimits.HistorySizeError)
        {
            t.Terminate("Workflow history size exceeds limit.", null, "history-service");
        }
    }
}
