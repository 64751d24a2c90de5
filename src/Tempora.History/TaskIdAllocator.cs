namespace Tempora.History;

/// <summary>Hands out task ids that stay unique and increasing across restarts (seeded from the store).</summary>
public sealed class TaskIdAllocator
{
    private long _last;

    public void Seed(long lastUsed) => Interlocked.Exchange(ref _last, Math.Max(lastUsed, Interlocked.Read(ref _last)));

    public long Next() => Interlocked.Increment(ref _last);
}
