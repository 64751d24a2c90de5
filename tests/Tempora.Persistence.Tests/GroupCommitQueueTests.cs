namespace Tempora.Persistence.Tests;

/// <summary>The group-commit queue both stores write through.</summary>
public sealed class GroupCommitQueueTests
{
    private sealed class Write(int value, CancellationToken ct = default) : IGroupedWrite
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Value => value;

        public Task Task => _done.Task;

        public bool CancelIfRequested() => ct.IsCancellationRequested && _done.TrySetCanceled(ct);

        public void FailUnlessComplete(Exception error) => _done.TrySetException(error);

        public void Done() => _done.TrySetResult();
    }

    [Fact]
    public async Task CommitThatThrows_FailsItsGroup_AndLaterWritesStillCommit()
    {
        var committed = new List<int>();
        await using var queue = new GroupCommitQueue<Write>(maxGroupSize: 8, committers: 1, group =>
        {
            if (group.Any(w => w.Value < 0))
            {
                throw new InvalidOperationException("bad group");
            }
            foreach (var w in group)
            {
                committed.Add(w.Value);
                w.Done();
            }
            return Task.CompletedTask;
        });

        var bad = new Write(-1);
        queue.Enqueue(bad);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("bad group", error.Message);

        var good = new Write(7);
        queue.Enqueue(good);
        await good.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([7], committed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task IsEmpty_WhileWritesWaitForACommitter_IsFalse(int committers)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var queue = new GroupCommitQueue<Write>(maxGroupSize: 1, committers, async group =>
        {
            taken.TrySetResult();
            await release.Task;
            group[0].Done();
        });
        Assert.True(queue.IsEmpty);

        var writes = Enumerable.Range(0, committers + 1).Select(i => new Write(i)).ToList();
        writes.ForEach(queue.Enqueue);
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(queue.IsEmpty); // every committer holds one write; the last one waits
        release.SetResult();
        await Task.WhenAll(writes.Select(w => w.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public async Task WriteCancelledBeforeItsGroup_IsNotCommitted_AndDisposeCommitsWhatIsQueued()
    {
        var committed = new List<int>();
        var queue = new GroupCommitQueue<Write>(maxGroupSize: 8, committers: 1, group =>
        {
            foreach (var w in group)
            {
                committed.Add(w.Value);
                w.Done();
            }
            return Task.CompletedTask;
        });
        var cancelled = new Write(1, new CancellationToken(canceled: true));
        var kept = new Write(2);
        queue.Enqueue(cancelled);
        queue.Enqueue(kept);
        await queue.DisposeAsync();

        Assert.True(cancelled.Task.IsCanceled);
        Assert.True(kept.Task.IsCompletedSuccessfully);
        Assert.Equal([2], committed);
        Assert.Throws<ObjectDisposedException>(() => queue.Enqueue(new Write(3)));
    }
}
