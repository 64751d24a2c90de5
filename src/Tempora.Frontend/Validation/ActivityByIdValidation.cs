using Tempora.Core.Errors;

namespace Tempora.Frontend.Validation;

/// <summary>The *ById activity calls (heartbeat, complete, fail, cancel): the activity must be named.</summary>
internal static class ActivityByIdValidation
{
    public static void Validate(string activityId)
    {
        if (string.IsNullOrEmpty(activityId))
        {
            throw new InvalidArgumentException("ActivityId is not set on request.");
        }
    }
}
