using Google.Protobuf;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Matching.Deployments;

/// <summary>
/// The worker deployment RPCs of Temporal 1.28 over the deployment rows: describe and list (drainage brought up to date
/// as they read), set current and ramping (conflict token, no-change rule, missing task queues check), deletes and
/// metadata. A change is one conditional write, retried when a registration or another change came first; routing
/// changes are propagated to every replica before the RPC answers. Requests are validated by the frontend.
/// </summary>
public sealed class WorkerDeploymentService(
    IWorkerDeploymentStore store, VersionDrainage drainage, MatchingEngine matching, IDeploymentRoutingPropagation propagation,
    TimeProvider time, WorkerDeploymentOptions options)
{
    public const int MaxPageSize = 1000;
    private const int MaxAttempts = 10;

    public async Task<DescribeWorkerDeploymentResponse> DescribeAsync(string namespaceId, string name, CancellationToken ct)
    {
        var d = await ReadAsync(namespaceId, name, ct) ?? throw new EntityNotFoundException("Worker Deployment not found");
        return new DescribeWorkerDeploymentResponse { WorkerDeploymentInfo = DeploymentProtos.Info(d), ConflictToken = DeploymentProtos.Token(d.ConflictToken) };
    }

    public async Task<ListWorkerDeploymentsResponse> ListAsync(string namespaceId, int pageSize, ByteString pageToken, CancellationToken ct)
    {
        var limit = pageSize <= 0 || pageSize > MaxPageSize ? MaxPageSize : pageSize;
        var after = pageToken.IsEmpty ? null : pageToken.ToStringUtf8();
        var page = await store.ListAsync(namespaceId, after, limit + 1, ct);
        var response = new ListWorkerDeploymentsResponse();
        foreach (var stored in page.Take(limit))
        {
            var d = await RefreshAsync(stored, ct);
            var summary = new ListWorkerDeploymentsResponse.Types.WorkerDeploymentSummary
            {
                Name = d.Name,
                CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(d.CreateTime),
                RoutingConfig = DeploymentProtos.Routing(d),
            };
            if (d.Versions.Count > 0)
            {
                summary.LatestVersionSummary = DeploymentProtos.Summary(d.Name, d.Versions[0]);
            }
            if (d.CurrentBuildId is { } current && d.Version(current) is { } cv)
            {
                summary.CurrentVersionSummary = DeploymentProtos.Summary(d.Name, cv);
            }
            if (d.RampingBuildId is { Length: > 0 } ramping && d.Version(ramping) is { } rv)
            {
                summary.RampingVersionSummary = DeploymentProtos.Summary(d.Name, rv);
            }
            response.WorkerDeployments.Add(summary);
        }
        if (page.Count > limit)
        {
            response.NextPageToken = ByteString.CopyFromUtf8(page[limit - 1].Name);
        }
        return response;
    }

    public async Task<DescribeWorkerDeploymentVersionResponse> DescribeVersionAsync(string namespaceId, DeploymentVersion version, CancellationToken ct)
    {
        var d = await ReadAsync(namespaceId, version.DeploymentName, ct);
        var v = d?.Version(version.BuildId) ?? throw new EntityNotFoundException("Worker Deployment Version not found");
        return new DescribeWorkerDeploymentVersionResponse { WorkerDeploymentVersionInfo = DeploymentProtos.VersionInfo(d!.Name, v) };
    }

    /// <summary>SetWorkerDeploymentCurrentVersion; <paramref name="buildId"/> null: unversioned.</summary>
    public async Task<SetWorkerDeploymentCurrentVersionResponse> SetCurrentAsync(string namespaceId, string name, string? buildId,
        ByteString conflictToken, string identity, bool ignoreMissingTaskQueues, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var d = await store.GetAsync(namespaceId, name, ct) ?? throw new EntityNotFoundException("Worker Deployment not found");
            if (d.CurrentBuildId == buildId && d.LastModifierIdentity == identity)
            {
                // 1.28's no-change answer: the request's own version as the previous one, the token unchanged.
                return new SetWorkerDeploymentCurrentVersionResponse
                {
                    ConflictToken = DeploymentProtos.Token(d.ConflictToken),
                    PreviousVersion = DeploymentProtos.VersionString(name, buildId),
                    PreviousDeploymentVersion = DeploymentProtos.Structured(name, buildId),
                };
            }
            CheckToken(conflictToken, d);
            if (buildId is not null && d.Version(buildId) is null)
            {
                throw new EntityNotFoundException("Version not found in deployment");
            }
            if (!ignoreMissingTaskQueues && buildId is not null && d.CurrentBuildId is { } old && old != buildId)
            {
                CheckNoActiveQueueMissing(d, old, buildId,
                    "proposed current version is missing active task queues from the current version; these would become unversioned if it is set as the current version");
            }
            var changed = RoutingChange.SetCurrent(d, buildId, identity, time.GetUtcNow());
            if (!await TryWriteAsync(changed, attempt, ct))
            {
                continue;
            }
            await propagation.PropagateAsync(ct);
            return new SetWorkerDeploymentCurrentVersionResponse
            {
                ConflictToken = DeploymentProtos.Token(changed.ConflictToken),
                PreviousVersion = DeploymentProtos.VersionString(name, d.CurrentBuildId),
                PreviousDeploymentVersion = DeploymentProtos.Structured(name, d.CurrentBuildId),
            };
        }
    }

    /// <summary>SetWorkerDeploymentRampingVersion; <paramref name="rampingBuildId"/> "": the unversioned ramp, null: no ramp.</summary>
    public async Task<SetWorkerDeploymentRampingVersionResponse> SetRampingAsync(string namespaceId, string name, string? rampingBuildId,
        float percentage, ByteString conflictToken, string identity, bool ignoreMissingTaskQueues, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var d = await store.GetAsync(namespaceId, name, ct) ?? throw new EntityNotFoundException("Worker Deployment not found");
            var previous = new SetWorkerDeploymentRampingVersionResponse
            {
                ConflictToken = DeploymentProtos.Token(d.ConflictToken),
                PreviousVersion = DeploymentProtos.RampingString(name, d.RampingBuildId),
                PreviousDeploymentVersion = DeploymentProtos.Structured(name, d.RampingBuildId),
                PreviousPercentage = d.RampingBuildId is null ? 0 : d.RampPercentage,
            };
            if (d.RampingBuildId == rampingBuildId && (rampingBuildId is null || d.RampPercentage == percentage) && d.LastModifierIdentity == identity)
            {
                return new SetWorkerDeploymentRampingVersionResponse
                {
                    ConflictToken = previous.ConflictToken,
                    PreviousVersion = DeploymentProtos.RampingString(name, rampingBuildId),
                    PreviousDeploymentVersion = DeploymentProtos.Structured(name, rampingBuildId),
                    PreviousPercentage = percentage,
                };
            }
            CheckToken(conflictToken, d);
            if (rampingBuildId is { Length: > 0 } && d.Version(rampingBuildId) is null)
            {
                throw new EntityNotFoundException("Version not found in deployment");
            }
            if (rampingBuildId is not null && rampingBuildId == (d.CurrentBuildId ?? ""))
            {
                throw new FailedPreconditionException(
                    $"requested ramping version {DeploymentProtos.RampingString(name, rampingBuildId)} is already current");
            }
            if (!ignoreMissingTaskQueues && rampingBuildId is { Length: > 0 } && rampingBuildId != d.RampingBuildId && d.CurrentBuildId is { } current)
            {
                CheckNoActiveQueueMissing(d, current, rampingBuildId,
                    "proposed ramping version is missing active task queues from the current version; these would become unversioned if it is set as the ramping version");
            }
            var changed = RoutingChange.SetRamping(d, rampingBuildId, percentage, identity, time.GetUtcNow());
            if (!await TryWriteAsync(changed, attempt, ct))
            {
                continue;
            }
            await propagation.PropagateAsync(ct);
            previous.ConflictToken = DeploymentProtos.Token(changed.ConflictToken);
            return previous;
        }
    }

    public async Task DeleteVersionAsync(string namespaceId, DeploymentVersion version, bool skipDrainage, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var d = await ReadAsync(namespaceId, version.DeploymentName, ct);
            var v = d?.Version(version.BuildId);
            if (d is null || v is null)
            {
                return; // 1.28: deleting what is not there succeeds
            }
            if (d.CurrentBuildId == v.BuildId || d.RampingBuildId == v.BuildId)
            {
                throw new FailedPreconditionException("Version cannot be deleted since it is current or ramping.");
            }
            if (!skipDrainage && v.Status == Temporalio.Api.Enums.V1.WorkerDeploymentVersionStatus.Draining)
            {
                throw new FailedPreconditionException("Version cannot be deleted since it is draining.");
            }
            if (HasPollers(namespaceId, version, v))
            {
                throw new FailedPreconditionException("Version cannot be deleted since it has active pollers.");
            }
            if (await TryWriteAsync(d with { Versions = d.Versions.Where(x => x.BuildId != v.BuildId).ToList() }, attempt, ct))
            {
                await propagation.PropagateAsync(ct);
                return;
            }
        }
    }

    public async Task DeleteDeploymentAsync(string namespaceId, string name, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var d = await store.GetAsync(namespaceId, name, ct);
            if (d is null)
            {
                return;
            }
            if (d.Versions.Count > 0)
            {
                throw new FailedPreconditionException("deployment has versions, can't be deleted");
            }
            try
            {
                await store.DeleteAsync(namespaceId, name, d.RowVersion, ct);
                await propagation.PropagateAsync(ct);
                return;
            }
            catch (WorkerDeploymentChangedException) when (attempt < MaxAttempts)
            {
            }
        }
    }

    public async Task<UpdateWorkerDeploymentVersionMetadataResponse> UpdateMetadataAsync(string namespaceId, DeploymentVersion version,
        IReadOnlyDictionary<string, Temporalio.Api.Common.V1.Payload> upsert, IReadOnlyList<string> remove, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var d = await store.GetAsync(namespaceId, version.DeploymentName, ct);
            var v = d?.Version(version.BuildId) ?? throw new EntityNotFoundException("Worker Deployment Version not found");
            var metadata = DeploymentProtos.Metadata(v) ?? new VersionMetadata();
            foreach (var (key, value) in upsert)
            {
                metadata.Entries[key] = value;
            }
            foreach (var key in remove)
            {
                metadata.Entries.Remove(key);
            }
            var updated = v with { Metadata = metadata.Entries.Count == 0 ? null : metadata.ToByteArray() };
            if (await TryWriteAsync(d! with { Versions = d.Versions.Select(x => x.BuildId == v.BuildId ? updated : x).ToList() }, attempt, ct))
            {
                return new UpdateWorkerDeploymentVersionMetadataResponse { Metadata = metadata };
            }
        }
    }

    /// <summary>The deployment with its drainage up to date (written back when it moved; a lost race is harmless).</summary>
    private async Task<WorkerDeploymentRecord?> ReadAsync(string namespaceId, string name, CancellationToken ct) =>
        await store.GetAsync(namespaceId, name, ct) is { } d ? await RefreshAsync(d, ct) : null;

    private async Task<WorkerDeploymentRecord> RefreshAsync(WorkerDeploymentRecord d, CancellationToken ct)
    {
        var (refreshed, changed) = await drainage.RefreshAsync(d, time.GetUtcNow(), ct);
        if (!changed)
        {
            return d;
        }
        try
        {
            await store.UpdateAsync(refreshed, ct);
            return refreshed with { RowVersion = refreshed.RowVersion + 1 };
        }
        catch (WorkerDeploymentChangedException)
        {
            return refreshed; // another writer came first; the next read checks again
        }
    }

    private async Task<bool> TryWriteAsync(WorkerDeploymentRecord d, int attempt, CancellationToken ct)
    {
        try
        {
            await store.UpdateAsync(d, ct);
            return true;
        }
        catch (WorkerDeploymentChangedException) when (attempt < MaxAttempts)
        {
            return false;
        }
    }

    private static void CheckToken(ByteString given, WorkerDeploymentRecord d)
    {
        if (!given.IsEmpty && !DeploymentProtos.TokenMatches(given, d.ConflictToken))
        {
            throw new FailedPreconditionException("conflict token mismatch");
        }
    }

    /// <summary>
    /// 1.28's missing task queues check: each task queue of the current version that is still active (tasks added
    /// lately, or a backlog, in that version's queue) must be registered in the proposed version too.
    /// </summary>
    private void CheckNoActiveQueueMissing(WorkerDeploymentRecord d, string currentBuildId, string proposedBuildId, string message)
    {
        var current = d.Version(currentBuildId);
        var proposed = d.Version(proposedBuildId);
        if (current is null || proposed is null)
        {
            return;
        }
        var version = new DeploymentVersion(d.Name, currentBuildId);
        foreach (var queue in current.TaskQueues.Where(q => !proposed.TaskQueues.Contains(q)))
        {
            var snapshot = matching.Describe(new TaskQueueKey(d.NamespaceId, queue.Name, queue.Kind, version));
            if (snapshot.TasksAddRate != 0 || snapshot.BacklogCount != 0)
            {
                throw new FailedPreconditionException(message);
            }
        }
    }

    private bool HasPollers(string namespaceId, DeploymentVersion version, WorkerDeploymentVersionRecord v) =>
        v.TaskQueues.Any(q => matching.HasRecentPoller(new TaskQueueKey(namespaceId, q.Name, q.Kind, version), options.PollerActivityWindow));
}
