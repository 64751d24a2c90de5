using Tempora.Core.Errors;
using Tempora.History.Execution;

namespace Tempora.History.Api;

/// <summary>
/// The pending activities an operator's control names: one by id, every one of a type, or all. Checked in Temporal's
/// order: a type that matches nothing is NotFound before the run's state is looked at, then a closed run is NotFound
/// "workflow execution already completed", then an id that names no pending activity is NotFound.
/// </summary>
internal static class ActivitySelection
{
    public static List<ActivityInfo> Select(MutableState s, string? id, string? type, bool all = false)
    {
        if (id is null)
        {
            var matching = s.Activities.Values.Where(a => all || a.ActivityType == type).OrderBy(a => a.ScheduledEventId).ToList();
            if (matching.Count == 0)
            {
                throw new EntityNotFoundException(ErrorMessages.PendingActivityNotFound);
            }
            RequireOpen(s);
            return matching;
        }
        RequireOpen(s);
        return [s.Activities.Values.FirstOrDefault(a => a.ActivityId == id) ?? throw new EntityNotFoundException(ErrorMessages.PendingActivityNotFound)];
    }

    public static void RequireOpen(MutableState s)
    {
        if (!s.IsOpen)
        {
            throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
        }
    }
}
