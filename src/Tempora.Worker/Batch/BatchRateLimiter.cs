namespace Tempora.Worker.Batch;

/// <summary>
/// A token bucket on the injected clock, as Temporal's batcher uses (<c>rate.NewLimiter(rps, ceil(rps))</c>): a
/// burst of ceil(rps) operations, then one every 1/rps seconds.
/// </summary>
internal sealed class BatchRateLimiter(double operationsPerSecond, TimeProvider time)
{
    private readonly double _burst = Math.Max(1, Math.Ceiling(operationsPerSecond));
    private double _tokens = Math.Max(1, Math.Ceiling(operationsPerSecond));
    private DateTimeOffset _last = time.GetUtcNow();

    public double OperationsPerSecond => operationsPerSecond;

    /// <summary>Waits until an operation may be made, and takes its token.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            _tokens = Math.Min(_burst, _tokens + (now - _last).TotalSeconds * operationsPerSecond);
            _last = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds((1 - _tokens) / operationsPerSecond), time, ct);
        }
    }
}
