namespace Tempora.Worker.SystemWork;

/// <summary>
/// Server-side work of the worker role that belongs to shards (schedules now; batch operations next): the owner of a
/// shard does its jobs' work for that shard, and hands it over with the shard.
/// </summary>
public interface ISystemJob : IAsyncDisposable
{
    /// <summary>The shards are this process's now: load their work and start it.</summary>
    Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct);

    /// <summary>The shards are leaving (or about to be re-acquired): drop their work; their new owner loads it.</summary>
    void ShardsReleased(IReadOnlyCollection<int> shards);
}
