namespace Tempora.Core;

/// <summary>
/// The key a batch operation hashes by into the shard whose owner runs it and serves its requests (Temporal runs a
/// batch as a workflow whose id is the job id, in a namespace division of its own).
/// </summary>
public static class BatchJobIds
{
    public const string Prefix = "temporal-sys-batcher:";

    public static string ShardKeyOf(string jobId) => Prefix + jobId;
}
