using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;

namespace Tempora.History.Api;

internal static class WorkflowTaskTokens
{
    /// <summary>NotFound unless the token names the run's workflow task as started now.</summary>
    public static void Check(MutableState s, TaskToken token)
    {
        if (!s.IsOpen || s.WorkflowTask is not { IsStarted: true } wft || wft.ScheduledEventId != token.ScheduledEventId
            || wft.Attempt != token.Attempt || wft.StartedEventId != token.StartedEventId || wft.StartedTime!.Value.UtcTicks != token.StartedTimeTicks)
        {
            throw new EntityNotFoundException("Workflow task not found.");
        }
    }
}
