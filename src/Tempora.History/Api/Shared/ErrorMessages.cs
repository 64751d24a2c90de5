namespace Tempora.History.Api;

/// <summary>Messages several handlers answer with, worded as Temporal words them.</summary>
internal static class ErrorMessages
{
    public const string AlreadyCompleted = "workflow execution already completed";
    public const string ActivityNotFound = "activity task not found";

    /// <summary>An operator's activity control names no pending activity (Temporal's ErrActivityNotFound).</summary>
    public const string PendingActivityNotFound = "Can't find pending activity with such ID. Invalid activityID or activity already completed";
}
