using Tempora.Persistence.Deployments;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using Temporalio.Api.Enums.V1;

namespace Tempora.Matching.Deployments;

/// <summary>
/// Drainage computed when a deployment is read, instead of Temporal's timer loop in each version's workflow: a DRAINING
/// version whose grace period has passed, and whose last check is older than the refresh interval, counts its running
/// pinned workflows in visibility (<c>BuildIds = 'pinned:name:build'</c>, as 1.28); none → DRAINED. Either way the
/// check time is kept.
/// </summary>
public sealed class VersionDrainage(IVisibilityStore visibility, WorkerDeploymentOptions options)
{
    private static readonly Dictionary<string, SearchAttributeType> NoCustomAttributes = [];

    /// <summary>The deployment with its versions' drainage brought up to date, and whether anything changed.</summary>
    public async Task<(WorkerDeploymentRecord Deployment, bool Changed)> RefreshAsync(WorkerDeploymentRecord d, DateTimeOffset now,
        CancellationToken ct)
    {
        var changed = false;
        var versions = new List<WorkerDeploymentVersionRecord>(d.Versions.Count);
        foreach (var v in d.Versions)
        {
            if (v.DrainageStatus != VersionDrainageStatus.Draining
                || now - (v.DrainageChangedTime ?? now) < options.DrainageGracePeriod
                || now - (v.DrainageCheckedTime ?? DateTimeOffset.MinValue) < options.DrainageRefreshInterval)
            {
                versions.Add(v);
                continue;
            }
            changed = true;
            var running = await CountPinnedRunningAsync(d.NamespaceId, $"{d.Name}:{v.BuildId}", ct);
            versions.Add(running > 0
                ? v with { DrainageCheckedTime = now }
                : v with
                {
                    Status = WorkerDeploymentVersionStatus.Drained,
                    DrainageStatus = VersionDrainageStatus.Drained,
                    DrainageChangedTime = now,
                    DrainageCheckedTime = now,
                });
        }
        return (changed ? d with { Versions = versions } : d, changed);
    }

    private Task<long> CountPinnedRunningAsync(string namespaceId, string version, CancellationToken ct)
    {
        var query = ListFilter.Parse($"BuildIds = 'pinned:{version.Replace("'", "''")}' AND ExecutionStatus = 'Running'",
            NoCustomAttributes, allowGroupBy: false);
        return visibility.CountAsync(namespaceId, query, ct);
    }
}
