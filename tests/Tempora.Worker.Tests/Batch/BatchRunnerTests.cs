using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tempora.History;
using Tempora.Persistence.Batches;
using Tempora.Worker.Batch;
using Temporalio.Api.Batch.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Tests.Batch;

/// <summary>
/// The batch runner on a fake clock with the store in memory and a recording executor: the rate limit, the cursor
/// (a restart resumes at the first item not recorded, with the same request ids), outcome counting and stop.
/// </summary>
public sealed class BatchRunnerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly MemoryBatchStore _store = new();
    private readonly RecordingExecutor _executor;
    private readonly NamespaceRegistry _namespaces = new(new OneNamespaceStore());
    private BatchRunner _runner;
    private BatchService _service;

    public BatchRunnerTests()
    {
        _executor = new RecordingExecutor(_time);
        (_runner, _service) = NewRunner();
    }

    private (BatchRunner, BatchService) NewRunner()
    {
        var runner = new BatchRunner(_store, _namespaces, new AllShardsHere(), _executor, _time, NullLogger<BatchRunner>.Instance);
        return (runner, new BatchService(_store, runner, new BatchLimits(), _time));
    }

    public async ValueTask DisposeAsync() => await _runner.DisposeAsync();

    private static StartBatchOperationRequest Signal(int executions, float rps = 0)
    {
        var request = new StartBatchOperationRequest
        {
            Namespace = "ns",
            JobId = "job",
            Reason = "test",
            MaxOperationsPerSecond = rps,
            SignalOperation = new BatchOperationSignal { Signal = "poke" },
        };
#pragma warning disable CS0612 // Temporal 1.28's field, obsolete in the newer package
        request.Executions.Add(Enumerable.Range(0, executions).Select(i => new WorkflowExecution { WorkflowId = $"wf-{i}" }));
#pragma warning restore CS0612
        return request;
    }

    private async Task StartAsync(StartBatchOperationRequest request)
    {
        await _runner.ShardsAcquiredAsync([1, 2, 3, 4], CancellationToken.None);
#pragma warning disable CS0612
        await _service.StartAsync(OneNamespaceStore.Namespace, request, "", request.Executions.Count, CancellationToken.None);
#pragma warning restore CS0612
    }

    private Task<DescribeBatchOperationResponse> DescribeAsync() => _service.DescribeAsync(OneNamespaceStore.Namespace, "job", CancellationToken.None);

    /// <summary>Advances the fake clock a little at a time until the batch satisfies <paramref name="done"/>.</summary>
    private async Task<DescribeBatchOperationResponse> UntilAsync(Func<DescribeBatchOperationResponse, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var description = await DescribeAsync();
            if (done(description))
            {
                return description;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waiting for {what}; last: {description}");
            }
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Run_AppliesEachExecutionOnceInOrder_NotFoundCountsAsDone_OtherRefusalsAsFailed()
    {
        _executor.Answer = wf => wf switch { "wf-1" => StatusCode.NotFound, "wf-3" => StatusCode.InvalidArgument, _ => StatusCode.OK };

        await StartAsync(Signal(5));

        var done = await UntilAsync(d => d.State != BatchOperationState.Running, "the batch to end");
        Assert.Equal((BatchOperationState.Completed, 5L, 4L, 1L),
            (done.State, done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));
        Assert.Equal(["wf-0", "wf-1", "wf-2", "wf-3", "wf-4"], _executor.Applied.Select(a => a.WorkflowId));
        Assert.Equal(5, _executor.Applied.Select(a => a.RequestId).Distinct().Count());
        var items = await _store.GetItemsAsync("ns-id", "job", 0, 10, CancellationToken.None);
        Assert.Equal([BatchItem.Done, BatchItem.Done, BatchItem.Done, BatchItem.Failed, BatchItem.Done], items.Select(i => i.Outcome));
        Assert.StartsWith("InvalidArgument", items[3].Message, StringComparison.Ordinal);
        var record = await _store.GetAsync("ns-id", "job", CancellationToken.None);
        Assert.Equal(done.CloseTime.ToDateTimeOffset() + TimeSpan.FromDays(1), record!.ExpireTime); // the namespace's retention
    }

    [Fact]
    public async Task Run_TransientRefusal_IsTriedAgain_ThenCountedAsFailed()
    {
        _executor.Answer = wf => wf == "wf-0" ? StatusCode.Unavailable : StatusCode.OK;

        await StartAsync(Signal(2));

        var done = await UntilAsync(d => d.State != BatchOperationState.Running, "the batch to end");
        Assert.Equal((1L, 1L), (done.CompleteOperationCount, done.FailureOperationCount));
        Assert.Equal(5, _executor.Applied.Count(a => a.WorkflowId == "wf-0"));
    }

    [Fact]
    public async Task Run_RateLimited_ABurstOfCeilRps_ThenOneEveryInterval()
    {
        await StartAsync(Signal(7, rps: 2));

        await UntilAsync(d => d.State != BatchOperationState.Running, "the batch to end");
        var offsets = _executor.Applied.Select(a => (a.At - T0).TotalSeconds).ToList();
        Assert.Equal(7, offsets.Count);
        // Two at once, then one every half second (the clock moves in 50 ms steps).
        for (var i = 2; i < offsets.Count; i++)
        {
            Assert.True(offsets[i] >= (i - 1) * 0.5 - 1e-9, $"operation {i} at {offsets[i]} s");
        }
        Assert.True(offsets[^1] < 3.5, $"last operation at {offsets[^1]} s");
    }

    [Fact]
    public async Task Restart_ResumesAtTheFirstItemNotRecorded_WithTheSameRequestIds()
    {
        await StartAsync(Signal(6, rps: 1));
        await UntilAsync(d => d.CompleteOperationCount >= 3, "three items to be recorded");
        await _runner.DisposeAsync(); // the process dies: the item in flight may have been applied without being recorded
        var before = _executor.Applied.ToList();
        var recorded = (await DescribeAsync()).CompleteOperationCount;

        (_runner, _service) = NewRunner();
        await _runner.ShardsAcquiredAsync([1, 2, 3, 4], CancellationToken.None);
        var done = await UntilAsync(d => d.State != BatchOperationState.Running, "the batch to end after the restart");

        Assert.Equal((6L, 6L), (done.TotalOperationCount, done.CompleteOperationCount));
        var after = _executor.Applied.Skip(before.Count).ToList();
        Assert.Equal([.. Enumerable.Range((int)recorded, 6 - (int)recorded).Select(i => $"wf-{i}")], after.Select(a => a.WorkflowId));
        // An item applied before the crash and again after carries the same request id, which history deduplicates.
        foreach (var again in after.Where(a => before.Any(b => b.WorkflowId == a.WorkflowId)))
        {
            Assert.Equal(before.Single(b => b.WorkflowId == again.WorkflowId).RequestId, again.RequestId);
        }
    }

    [Fact]
    public async Task Stop_EndsTheBatchFailed_AndNoItemIsAppliedAfter()
    {
        await StartAsync(Signal(10, rps: 1));
        await UntilAsync(d => d.CompleteOperationCount >= 2, "two items to be recorded");

        await _service.StopAsync(OneNamespaceStore.Namespace, new StopBatchOperationRequest { JobId = "job", Reason = "enough" }, CancellationToken.None);
        var applied = _executor.Applied.Count;
        _time.Advance(TimeSpan.FromSeconds(30));
        await Task.Yield();

        var stopped = await DescribeAsync();
        Assert.Equal(BatchOperationState.Failed, stopped.State);
        Assert.Equal(applied, _executor.Applied.Count);
        Assert.InRange(applied, stopped.CompleteOperationCount, stopped.CompleteOperationCount + 1);
    }
}
