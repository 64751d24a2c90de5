namespace Tempora.Core.Errors;

/// <summary>
/// One operation of an ExecuteMultiOperation (update-with-start) failed with <see cref="Error"/>. The frontend answers
/// with that operation's status code and one status per operation; the ones before it succeeded, the ones after it
/// were aborted, unless <see cref="EarlierAborted"/> says the earlier ones took no effect either.
/// </summary>
public sealed class MultiOperationException(int failedOperation, TemporaException error, bool earlierAborted = false)
    : TemporaException(error.Message)
{
    /// <summary>Index of the failed operation in the request.</summary>
    public int FailedOperation { get; } = failedOperation;

    public TemporaException Error { get; } = error;

    public bool EarlierAborted { get; } = earlierAborted;
}
