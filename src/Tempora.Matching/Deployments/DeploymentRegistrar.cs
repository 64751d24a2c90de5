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
    private readonly ConcurrentDictionary<(string, DeploymentVersion, string, TaskKind), Lazy<Task>> _registered = new();

    public async Task EnsureRegisteredAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind, CancellationToken ct)
    {
        var key = (namespaceId, version, taskQueue, kind);
        var registration = _registered.GetOrAdd(key, _ => new Lazy<Task>(() => RegisterAsync(namespaceId, version, taskQueue, kind)));
        try
        {
            await registration.Value.WaitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _registered.TryRemove(new KeyValuePair<(string, DeploymentVersion, string, TaskKind), Lazy<Task>>(key, registration));
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

    private bool HasPollers(string namespaceId, DeploymentVersion version, IReadOnlyList<VersionTaskQueue> queues) =>
        queues.Any(q => matching.HasRecentPoller(new TaskQueueKey(namespaceId, q.Name, q.Kind, version), options.PollerActivityWindow));
}
