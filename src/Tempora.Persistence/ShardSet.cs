namespace Tempora.Persistence;

/// <summary>Which shards a load of durable tasks reads: all of them (one process owns every shard, so one read of
/// everything is cheapest) or the ones a process just took over.</summary>
public sealed class ShardSet
{
    private ShardSet(IReadOnlyList<int>? ids) => Ids = ids;

    /// <summary>Every shard, rows of any shard id included.</summary>
    public static ShardSet All { get; } = new(null);

    /// <summary>The given shards only (their rows are read with the shard_id index).</summary>
    public static ShardSet Of(IEnumerable<int> ids) => new([.. ids.Distinct().Order()]);

    /// <summary>The shard ids to read; null for every shard.</summary>
    public IReadOnlyList<int>? Ids { get; }

    public bool IsAll => Ids is null;
}
