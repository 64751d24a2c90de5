using Tempora.Core;

namespace Tempora.Worker.SystemWork;

/// <summary>
/// The worker role: Tempora's own jobs, told about shards after history is, so that a job's first look at a shard's
/// runs finds history serving them. Without the role (<c>--services</c> without <c>worker</c>) the process runs no job.
/// </summary>
public sealed class WorkerRole(IShardListener history, IReadOnlyList<ISystemJob> jobs) : IShardListener, IAsyncDisposable
{
    public void ShardsReleased(IReadOnlyCollection<int> shards)
    {
        foreach (var job in jobs)
        {
            job.ShardsReleased(shards);
        }
        history.ShardsReleased(shards);
    }

    public async Task ShardsAcquiredAsync(IReadOnlyCollection<int> shards, CancellationToken ct)
    {
        await history.ShardsAcquiredAsync(shards, ct);
        foreach (var job in jobs)
        {
            await job.ShardsAcquiredAsync(shards, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var job in jobs)
        {
            await job.DisposeAsync();
        }
    }
}
