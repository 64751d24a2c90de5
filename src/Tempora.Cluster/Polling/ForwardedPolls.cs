using System.Collections.Concurrent;

namespace Tempora.Cluster.Polling;

/// <summary>
/// Polls another process forwarded here and is still waiting on, by the id it gave them, so that it can call one off
/// (<see cref="CallOff"/>) without cancelling the call itself: cancelling the call would lose a task this process
/// had just recorded as started, since the answer carrying it would never arrive. A called-off poll stops waiting and
/// answers: empty, or the task it had already taken, which the caller hands to its next poll (<see cref="PollHandoff"/>).
/// </summary>
public sealed class ForwardedPolls(TimeProvider time)
{
    /// <summary>How long a call-off that arrived before its poll is remembered (the poll's own call may be slower).</summary>
    private static readonly TimeSpan EarlyCallOffKept = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _waiting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _calledOffEarly = new(StringComparer.Ordinal);

    /// <summary>Registers the forwarded poll <paramref name="pollId"/>; its token ends with <paramref name="ct"/> or a call-off.</summary>
    public Tracked Track(string pollId, CancellationToken ct)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_calledOffEarly.TryRemove(pollId, out _) || !_waiting.TryAdd(pollId, source))
        {
            source.Cancel();
            return new Tracked(this, pollId, source, registered: false);
        }
        return new Tracked(this, pollId, source, registered: true);
    }

    /// <summary>Stops the forwarded poll <paramref name="pollId"/> from waiting; remembered if it has not arrived yet.</summary>
    public void CallOff(string pollId)
    {
        if (_waiting.TryGetValue(pollId, out var source))
        {
            Cancel(source);
            return;
        }
        var now = time.GetUtcNow();
        foreach (var (id, at) in _calledOffEarly)
        {
            if (now - at > EarlyCallOffKept)
            {
                _calledOffEarly.TryRemove(id, out _);
            }
        }
        _calledOffEarly[pollId] = now;
        // The poll may have registered between the two looks.
        if (_waiting.TryGetValue(pollId, out source))
        {
            Cancel(source);
        }
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the poll answered and was forgotten meanwhile
        }
    }

    /// <summary>A registered poll; disposing it forgets the poll.</summary>
    public sealed class Tracked(ForwardedPolls owner, string pollId, CancellationTokenSource source, bool registered) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            if (registered)
            {
                owner._waiting.TryRemove(new KeyValuePair<string, CancellationTokenSource>(pollId, source));
                owner._calledOffEarly.TryRemove(pollId, out _);
            }
            source.Dispose();
        }
    }
}
