namespace Tempora.History.Api;

/// <summary>Messages several handlers answer with, worded as Temporal words them.</summary>
internal static class ErrorMessages
{
    public const string AlreadyCompleted = "workflow execution already completed";
    public const string ActivityNotFound = "activity task not found";
}
