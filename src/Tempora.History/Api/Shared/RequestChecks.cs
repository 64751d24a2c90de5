using Google.Protobuf;
using Tempora.Core.Errors;

namespace Tempora.History.Api;

/// <summary>The InvalidArgument checks of request fields that history still makes (limits it owns, internal callers).</summary>
internal static class RequestChecks
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
