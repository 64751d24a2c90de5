using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;

namespace Tempora.Matching.Deployments;

/// <summary>
/// Registers the version of a versioned poller in its task queue (Temporal 1.28's ensureRegisteredInDeploymentVersion):
/// the first poll of a (namespace, version, queue, type) in this process writes it (concurrent polls of the same share
/// that write), propagates the routing when anything was added, and later polls skip the database. A limit is refused
/// with 1.28's message; any other failure answers Unavailable, which the SDKs retry, and the next poll tries again;
/// either answer is held back a while first, as 1.28 holds it.
/// </summary>
public sealed class DeploymentRegistrar(
    IWorkerDeploymentStore store, MatchingEngine matching, IDeploymentRoutingPropagation propagation, TimeProvider time,
    WorkerDeploymentOptions options, ILogger<DeploymentRegistrar> logger)
{
    private readonly ConcurrentDictionary<(string, DeploymentVersion, string, TaskKind), Registration> _registered = new();

    public async Task EnsureRegisteredAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind, CancellationToken ct)
    {
        var key = (namespaceId, version, taskQueue, kind);
        var now = time.GetUtcNow();
        var registration = _registered.AddOrUpdate(key,
            _ => new Registration(new Lazy<Task>(() => RegisterAsync(namespaceId, version, taskQueue, kind)), now),
            // Remembered while it is polled: a version can be deleted only after a poller window without polls, so an
            // entry unused that long is written again (the version may be gone, and must come back with its poller).
            (_, known) => now - known.LastUsed > options.PollerActivityWindow && known.Work.IsValueCreated && known.Work.Value.IsCompleted
                ? new Registration(new Lazy<Task>(() => RegisterAsync(namespaceId, version, taskQueue, kind)), now)
                : known with { LastUsed = now });
        try
        {
            await registration.Work.Value.WaitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (_registered.TryGetValue(key, out var current) && current.Work == registration.Work)
            {
                _registered.TryRemove(new KeyValuePair<(string, DeploymentVersion, string, TaskKind), Registration>(key, current));
            }
            try
            {
                await Task.Delay(options.RegistrationErrorBackoff, time, ct);
            }
            catch (OperationCanceledException)
            {
                // the poll went away: answer now
            }
            if (e is DeploymentLimitException)
            {
                throw new FailedPreconditionException(e.Message);
            }
            logger.LogWarning(e, "Registering worker deployment version {Version} in task queue {TaskQueue} failed", version, taskQueue);
            throw new UnavailableException("task queue is not ready to process polls from this deployment version, try again shortly");
        }
    }

    /// <summary>Not bound to any one poll's cancellation: the polls sharing it may outlive the first.</summary>
    private async Task RegisterAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var added = await store.RegisterAsync(namespaceId, version, taskQueue, kind, time.GetUtcNow(), timeout.Token,
            (v, queues) => HasPollers(namespaceId, v, queues));
        if (added)
        {
            await propagation.PropagateAsync(timeout.Token);
        }
    }

    /// <summary>One registration, shared by the polls that arrive while it is written.</summary>
    private sealed record Registration(Lazy<Task> Work, DateTimeOffset LastUsed);

    private bool HasPollers(string namespaceId, DeploymentVersion version, IReadOnlyList<VersionTaskQueue> queues) =>
        queues.Any(q => matching.HasRecentPoller(new TaskQueueKey(namespaceId, q.Name, q.Kind, version), options.PollerActivityWindow));
}
