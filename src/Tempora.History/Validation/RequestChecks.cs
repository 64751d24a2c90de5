using Google.Protobuf;
using Tempora.Core.Errors;

namespace Tempora.History.Validation;

/// <summary>
/// Checks of single request fields, worded as Temporal's frontend words them: the frontend's validations and history's
/// rules for starts a workflow command asks for (child workflows) share them.
/// </summary>
public static class RequestChecks
{
    public static void CheckLength(string? value, string what)
    {
        if (value is not null && value.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException($"{what} exceeds length limit.");
        }
    }

    /// <summary>InvalidArgument when a payload-bearing field of a request is over the blob limit.</summary>
    public static void CheckBlob(PayloadLimits limits, IMessage? payloads, string what)
    {
        if (limits.IsBlobTooLarge(payloads))
        {
            throw new InvalidArgumentException($"Blob data size exceeds limit ({what}).");
        }
    }

    /// <summary>InvalidArgument with the problem a limit check found, if any.</summary>
    public static void ThrowIfProblem(string? problem)
    {
        if (problem is not null)
        {
            throw new InvalidArgumentException(problem);
        }
    }
}
