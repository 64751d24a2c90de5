using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;

namespace Tempora.Matching.Versioning;

/// <summary>
/// An immutable picture of every deployment's routing, indexed for the task path: per task queue (and type) where its
/// new and unpinned tasks go, and the set of (version, task queue) registrations. Built whole from the store's
/// snapshot, so a reader never sees half a change.
/// </summary>
internal sealed class DeploymentRoutingView
{
    private readonly Dictionary<(string Namespace, string TaskQueue, TaskKind Kind), TaskQueueRouting> _routing;
    private readonly HashSet<(string Namespace, DeploymentVersion Version, string TaskQueue, TaskKind Kind)> _registered;

    private DeploymentRoutingView(
        Dictionary<(string, string, TaskKind), TaskQueueRouting> routing,
        HashSet<(string, DeploymentVersion, string, TaskKind)> registered)
    {
        _routing = routing;
        _registered = registered;
    }

    public static DeploymentRoutingView Empty { get; } = new([], []);

    public bool IsEmpty => _registered.Count == 0;

    public TaskQueueRouting For(string namespaceId, string taskQueue, TaskKind kind) =>
        _routing.TryGetValue((namespaceId, taskQueue, kind), out var routing) ? routing : TaskQueueRouting.Unversioned;

    public bool IsRegistered(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind) =>
        _registered.Contains((namespaceId, version, taskQueue, kind));

    /// <summary>Whether every queue routes as in <paramref name="other"/> (registrations alone move no task).</summary>
    public bool RoutesAs(DeploymentRoutingView other) =>
        _routing.Count == other._routing.Count
        && _routing.All(pair => other._routing.TryGetValue(pair.Key, out var routing) && routing == pair.Value);

    /// <summary>
    /// A task queue follows a deployment's current (or ramping) version only if that version registered the queue: a
    /// queue the new current version lacks becomes unversioned, as in Temporal, where a version's routing is written
    /// to its own task queues only. A queue registered in two deployments follows the one whose routing changed last.
    /// </summary>
    public static DeploymentRoutingView Build(DeploymentRoutingSnapshot snapshot)
    {
        var routing = new Dictionary<(string, string, TaskKind), TaskQueueRouting>();
        var changedAt = new Dictionary<(string, string, TaskKind), DateTimeOffset>();
        var registered = new HashSet<(string, DeploymentVersion, string, TaskKind)>();
        foreach (var deployment in snapshot.Deployments)
        {
            var queues = new HashSet<(string, TaskKind)>();
            foreach (var queue in deployment.TaskQueues)
            {
                registered.Add((deployment.NamespaceId, new DeploymentVersion(deployment.DeploymentName, queue.BuildId), queue.TaskQueue, queue.Kind));
                queues.Add((queue.TaskQueue, queue.Kind));
            }
            foreach (var (taskQueue, kind) in queues)
            {
                var key = (deployment.NamespaceId, taskQueue, kind);
                if (changedAt.TryGetValue(key, out var other) && other >= deployment.RoutingChangedTime)
                {
                    continue;
                }
                changedAt[key] = deployment.RoutingChangedTime;
                routing[key] = QueueRouting(deployment, taskQueue, kind, registered);
            }
        }
        return new DeploymentRoutingView(routing, registered);
    }

    private static TaskQueueRouting QueueRouting(DeploymentRouting deployment, string taskQueue, TaskKind kind,
        HashSet<(string, DeploymentVersion, string, TaskKind)> registered)
    {
        DeploymentVersion? Registered(DeploymentVersion? version) =>
            version is not null && registered.Contains((deployment.NamespaceId, version, taskQueue, kind)) ? version : null;
        var current = Registered(deployment.Current);
        var ramping = Registered(deployment.Ramping);
        // A ramp to a version that lacks the queue ramps nothing here; the unversioned ramp (null Ramping) applies.
        var isRamping = deployment.IsRamping && (deployment.Ramping is null || ramping is not null);
        return new TaskQueueRouting(current, ramping, isRamping, isRamping ? deployment.RampPercentage : 0);
    }
}
