namespace Tempora.Persistence.Deployments;

/// <summary>A conditional write found the deployment at another row version than the caller read (another writer,
/// or a registration, came first) or gone; the caller reads again and retries.</summary>
public sealed class WorkerDeploymentChangedException(string namespaceId, string name)
    : Exception($"Worker deployment {name} of namespace {namespaceId} changed since it was read.");
