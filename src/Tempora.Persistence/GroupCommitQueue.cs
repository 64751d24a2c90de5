using System.Threading.Channels;

namespace Tempora.Persistence;

/// <summary>A write waiting in a <see cref="GroupCommitQueue{T}"/>.</summary>
public interface IGroupedWrite
{
    /// <summary>Completes the caller's task as cancelled when it gave up before its group was taken; true then.</summary>
    bool CancelIfRequested();

    /// <summary>Fails the caller's task unless it is already complete.</summary>
    void FailUnlessComplete(Exception error);
}

/// <summary>
/// Group commit, shared by the stores: callers queue their writes, and each of a few committer loops takes everything
/// queued meanwhile (up to a bound) and commits it as one group, so one commit — one fsync, one round trip — serves
/// many transitions. What "commit a group" means is the store's: the delegate.
/// </summary>
public sealed class GroupCommitQueue<T> : IAsyncDisposable where T : class, IGroupedWrite
{
    private readonly Channel<T> _pending;
    private readonly int _maxGroupSize;
    private readonly Func<List<T>, Task> _commit;
    private readonly Task[] _committers;

    /// <param name="maxGroupSize">Most writes one group carries; bounds the time a group holds its connection.</param>
    /// <param name="committers">Groups committed at once: while one waits for its commit, the next fills.</param>
    /// <param name="commit">Commits a group and completes every write in it.</param>
    public GroupCommitQueue(int maxGroupSize, int committers, Func<List<T>, Task> commit)
    {
        _pending = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = committers == 1 });
        _maxGroupSize = maxGroupSize;
        _commit = commit;
        _committers = [.. Enumerable.Range(0, committers).Select(_ => Task.Run(CommitLoopAsync))];
    }

    /// <summary>No write is waiting for a committer (one may be being committed).</summary>
    public bool IsEmpty => !_pending.Reader.TryPeek(out _);

    public void Enqueue(T write)
    {
        if (!_pending.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue<T>));
        }
    }

    private async Task CommitLoopAsync()
    {
        var group = new List<T>(_maxGroupSize);
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < _maxGroupSize && reader.TryRead(out var next))
            {
                if (!next.CancelIfRequested())
                {
                    group.Add(next);
                }
            }
            if (group.Count == 0)
            {
                continue;
            }
            try
            {
                await _commit(group);
            }
            catch (Exception e)
            {
                // A bug in building the group must not stop the loop (every later write would wait forever).
                foreach (var write in group)
                {
                    write.FailUnlessComplete(e);
                }
            }
        }
    }

    /// <summary>Takes no more writes; those already queued are committed before this returns.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_committers);
    }
}
