namespace Tempora.Persistence.Batches;

/// <summary>
/// One execution a batch applies its operation to, in the batch's order (<paramref name="Seq"/> from 0).
/// <paramref name="Outcome"/>: 0 not done yet, 1 done, 2 failed (<paramref name="Message"/> says why).
/// </summary>
public sealed record BatchItem(long Seq, string WorkflowId, string RunId, int Outcome, string? Message)
{
    public const int Pending = 0;
    public const int Done = 1;
    public const int Failed = 2;
}
