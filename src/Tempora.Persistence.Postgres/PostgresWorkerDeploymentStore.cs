using Npgsql;
using NpgsqlTypes;
using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;
using Temporalio.Api.Enums.V1;

namespace Tempora.Persistence.Postgres;

/// <summary>
/// Worker deployments on PostgreSQL. A registration locks the deployment's row (FOR UPDATE) before it reads and applies
/// <see cref="RegistrationPlan"/>, so two replicas registering into one deployment take turns; creating a deployment
/// first takes a transaction-scoped advisory lock on the namespace, so the per-namespace limit holds under a race; every
/// insert is ON CONFLICT DO NOTHING. An update carries the row version it read in its WHERE clause. Names compare as
/// bytes (COLLATE "C"), as on SQLite.
/// </summary>
internal sealed class PostgresWorkerDeploymentStore(NpgsqlDataSource db) : IWorkerDeploymentStore
{
    private const string DeploymentColumns = """
        namespace_id, name, create_time, current_build_id, current_changed_time, ramping_build_id, ramp_percentage,
        ramping_changed_time, ramp_percentage_changed_time, routing_changed_time, conflict_token, last_modifier_identity, row_version
        """;
    private const string VersionColumns = """
        build_id, create_time, status, routing_update_time, current_since_time, ramping_since_time, ramp_percentage,
        first_activation_time, last_deactivation_time, drainage_status, drainage_changed_time, drainage_checked_time, metadata
        """;
    private const string SelectDeploymentSql = $"SELECT {DeploymentColumns} FROM worker_deployments WHERE namespace_id = @ns AND name = @name";
    private const string LockDeploymentSql = SelectDeploymentSql + " FOR UPDATE";
    private const string ListSql = $"SELECT {DeploymentColumns} FROM worker_deployments WHERE namespace_id = @ns ORDER BY name COLLATE \"C\" LIMIT @limit";
    private const string ListAfterSql = $"""
        SELECT {DeploymentColumns} FROM worker_deployments WHERE namespace_id = @ns AND name COLLATE "C" > @after COLLATE "C"
        ORDER BY name COLLATE "C" LIMIT @limit
        """;
    private const string AllDeploymentsSql = $"SELECT {DeploymentColumns} FROM worker_deployments";
    private const string SelectVersionsSql = $"""
        SELECT {VersionColumns} FROM worker_deployment_versions WHERE namespace_id = @ns AND deployment_name = @name
        ORDER BY create_time DESC, build_id COLLATE "C"
        """;
    private const string SelectTaskQueuesSql = """
        SELECT build_id, task_queue, task_type FROM worker_deployment_task_queues WHERE namespace_id = @ns AND deployment_name = @name
        ORDER BY task_queue COLLATE "C", task_type
        """;
    private const string AllTaskQueuesSql = "SELECT namespace_id, deployment_name, build_id, task_queue, task_type FROM worker_deployment_task_queues";
    private const string NamespaceLockSql = "SELECT pg_advisory_xact_lock(hashtext('worker_deployments/' || @ns))";
    private const string CountDeploymentsSql = "SELECT COUNT(*) FROM worker_deployments WHERE namespace_id = @ns";
    private const string InsertDeploymentSql = """
        INSERT INTO worker_deployments (namespace_id, name, create_time, routing_changed_time, conflict_token, row_version)
        VALUES (@ns, @name, @now, @now, @token, 1) ON CONFLICT DO NOTHING
        """;
    private const string InsertVersionSql = """
        INSERT INTO worker_deployment_versions (namespace_id, deployment_name, build_id, create_time, status)
        VALUES (@ns, @name, @build, @now, @status) ON CONFLICT DO NOTHING
        """;
    private const string InsertTaskQueueSql = """
        INSERT INTO worker_deployment_task_queues (namespace_id, deployment_name, build_id, task_queue, task_type, registered_time)
        VALUES (@ns, @name, @build, @tq, @type, @now) ON CONFLICT DO NOTHING
        """;
    private const string BumpSql = "UPDATE worker_deployments SET row_version = row_version + 1 WHERE namespace_id = @ns AND name = @name";
    private const string UpdateDeploymentSql = """
        UPDATE worker_deployments SET current_build_id = @current, current_changed_time = @currentChanged, ramping_build_id = @ramping,
            ramp_percentage = @ramp, ramping_changed_time = @rampingChanged, ramp_percentage_changed_time = @rampChanged,
            routing_changed_time = @routingChanged, conflict_token = @token, last_modifier_identity = @identity, row_version = row_version + 1
        WHERE namespace_id = @ns AND name = @name AND row_version = @expected
        """;
    private const string UpdateVersionSql = """
        UPDATE worker_deployment_versions SET status = @status, routing_update_time = @routing, current_since_time = @currentSince,
            ramping_since_time = @rampingSince, ramp_percentage = @ramp, first_activation_time = @firstActivation,
            last_deactivation_time = @lastDeactivation, drainage_status = @drainage, drainage_changed_time = @drainageChanged,
            drainage_checked_time = @drainageChecked, metadata = @metadata
        WHERE namespace_id = @ns AND deployment_name = @name AND build_id = @build
        """;
    private const string SelectBuildIdsSql = "SELECT build_id FROM worker_deployment_versions WHERE namespace_id = @ns AND deployment_name = @name";
    private const string DeleteVersionSql = """
        DELETE FROM worker_deployment_task_queues WHERE namespace_id = @ns AND deployment_name = @name AND build_id = @build;
        DELETE FROM worker_deployment_versions WHERE namespace_id = @ns AND deployment_name = @name AND build_id = @build
        """;
    private const string DeleteDeploymentSql = """
        DELETE FROM worker_deployments WHERE namespace_id = @ns AND name = @name AND row_version = @expected
            AND NOT EXISTS (SELECT 1 FROM worker_deployment_versions WHERE namespace_id = @ns AND deployment_name = @name)
        """;

    public async Task<bool> RegisterAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind,
        DateTimeOffset now, CancellationToken ct, Func<DeploymentVersion, IReadOnlyList<VersionTaskQueue>, bool>? hasPollers = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var name = version.DeploymentName;
        var deployment = await LoadAsync(conn, tx, namespaceId, name, LockDeploymentSql, ct);
        var count = 0;
        if (deployment is null)
        {
            await using (var lockNs = Keyed(conn, tx, NamespaceLockSql, namespaceId, null))
            {
                await lockNs.ExecuteNonQueryAsync(ct);
            }
            // Another replica may have created it while this one waited for the lock.
            deployment = await LoadAsync(conn, tx, namespaceId, name, LockDeploymentSql, ct);
            await using var countCmd = Keyed(conn, tx, CountDeploymentsSql, namespaceId, null);
            count = Convert.ToInt32(await countCmd.ExecuteScalarAsync(ct));
        }
        var plan = RegistrationPlan.Decide(deployment, () => count, version, taskQueue, kind, hasPollers);
        if (!plan.Changes)
        {
            return false;
        }
        var utc = now.ToUniversalTime();
        if (plan.CreateDeployment)
        {
            await using var insert = Keyed(conn, tx, InsertDeploymentSql, namespaceId, name);
            insert.Parameters.AddWithValue("now", utc);
            insert.Parameters.AddWithValue("token", (now - DateTimeOffset.UnixEpoch).Ticks / 10);
            await insert.ExecuteNonQueryAsync(ct);
        }
        if (plan.EvictBuildId is { } evict)
        {
            await using var delete = Keyed(conn, tx, DeleteVersionSql, namespaceId, name);
            delete.Parameters.AddWithValue("build", evict);
            await delete.ExecuteNonQueryAsync(ct);
        }
        if (plan.AddVersion)
        {
            await using var insert = Keyed(conn, tx, InsertVersionSql, namespaceId, name);
            insert.Parameters.AddWithValue("build", version.BuildId);
            insert.Parameters.AddWithValue("now", utc);
            insert.Parameters.AddWithValue("status", (int)WorkerDeploymentVersionStatus.Inactive);
            await insert.ExecuteNonQueryAsync(ct);
        }
        await using (var tq = Keyed(conn, tx, InsertTaskQueueSql, namespaceId, name))
        {
            tq.Parameters.AddWithValue("build", version.BuildId);
            tq.Parameters.AddWithValue("tq", taskQueue);
            tq.Parameters.AddWithValue("type", (int)kind);
            tq.Parameters.AddWithValue("now", utc);
            await tq.ExecuteNonQueryAsync(ct);
        }
        await using (var bump = Keyed(conn, tx, BumpSql, namespaceId, name))
        {
            await bump.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<WorkerDeploymentRecord?> GetAsync(string namespaceId, string name, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await LoadAsync(conn, null, namespaceId, name, SelectDeploymentSql, ct);
    }

    public async Task<IReadOnlyList<WorkerDeploymentRecord>> ListAsync(string namespaceId, string? afterName, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = Keyed(conn, null, afterName is null ? ListSql : ListAfterSql, namespaceId, null);
        cmd.Parameters.AddWithValue("limit", limit);
        if (afterName is not null)
        {
            cmd.Parameters.AddWithValue("after", afterName);
        }
        var list = new List<WorkerDeploymentRecord>();
        foreach (var d in await ReadDeploymentsAsync(cmd, ct))
        {
            list.Add(d with { Versions = await LoadVersionsAsync(conn, null, namespaceId, d.Name, ct) });
        }
        return list;
    }

    public async Task UpdateAsync(WorkerDeploymentRecord deployment, CancellationToken ct)
    {
        var (ns, name) = (deployment.NamespaceId, deployment.Name);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = Keyed(conn, tx, UpdateDeploymentSql, ns, name))
        {
            cmd.Parameters.Add(Text("current", deployment.CurrentBuildId));
            cmd.Parameters.Add(Time("currentChanged", deployment.CurrentChangedTime));
            cmd.Parameters.Add(Text("ramping", deployment.RampingBuildId));
            cmd.Parameters.AddWithValue("ramp", deployment.RampPercentage);
            cmd.Parameters.Add(Time("rampingChanged", deployment.RampingChangedTime));
            cmd.Parameters.Add(Time("rampChanged", deployment.RampPercentageChangedTime));
            cmd.Parameters.Add(Time("routingChanged", deployment.RoutingChangedTime));
            cmd.Parameters.AddWithValue("token", deployment.ConflictToken);
            cmd.Parameters.Add(Text("identity", deployment.LastModifierIdentity));
            cmd.Parameters.AddWithValue("expected", deployment.RowVersion);
            if (await cmd.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new WorkerDeploymentChangedException(ns, name);
            }
        }
        var stored = new List<string>();
        await using (var ids = Keyed(conn, tx, SelectBuildIdsSql, ns, name))
        await using (var r = await ids.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                stored.Add(r.GetString(0));
            }
        }
        foreach (var gone in stored.Where(b => deployment.Version(b) is null))
        {
            await using var delete = Keyed(conn, tx, DeleteVersionSql, ns, name);
            delete.Parameters.AddWithValue("build", gone);
            await delete.ExecuteNonQueryAsync(ct);
        }
        foreach (var v in deployment.Versions)
        {
            await using var u = Keyed(conn, tx, UpdateVersionSql, ns, name);
            u.Parameters.AddWithValue("build", v.BuildId);
            u.Parameters.AddWithValue("status", (int)v.Status);
            u.Parameters.Add(Time("routing", v.RoutingUpdateTime));
            u.Parameters.Add(Time("currentSince", v.CurrentSinceTime));
            u.Parameters.Add(Time("rampingSince", v.RampingSinceTime));
            u.Parameters.AddWithValue("ramp", v.RampPercentage);
            u.Parameters.Add(Time("firstActivation", v.FirstActivationTime));
            u.Parameters.Add(Time("lastDeactivation", v.LastDeactivationTime));
            u.Parameters.AddWithValue("drainage", (int)v.DrainageStatus);
            u.Parameters.Add(Time("drainageChanged", v.DrainageChangedTime));
            u.Parameters.Add(Time("drainageChecked", v.DrainageCheckedTime));
            u.Parameters.Add(new NpgsqlParameter("metadata", NpgsqlDbType.Bytea) { Value = (object?)v.Metadata ?? DBNull.Value });
            await u.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task DeleteAsync(string namespaceId, string name, long expectedRowVersion, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = Keyed(conn, null, DeleteDeploymentSql, namespaceId, name);
        cmd.Parameters.AddWithValue("expected", expectedRowVersion);
        if (await cmd.ExecuteNonQueryAsync(ct) != 1)
        {
            throw new WorkerDeploymentChangedException(namespaceId, name);
        }
    }

    public async Task<DeploymentRoutingSnapshot> LoadRoutingAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct); // one snapshot for both reads
        List<WorkerDeploymentRecord> deployments;
        await using (var cmd = new NpgsqlCommand(AllDeploymentsSql, conn, tx))
        {
            deployments = await ReadDeploymentsAsync(cmd, ct);
        }
        var queues = new Dictionary<(string, string), List<RegisteredTaskQueue>>();
        await using (var cmd = new NpgsqlCommand(AllTaskQueuesSql, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var key = (r.GetString(0), r.GetString(1));
                if (!queues.TryGetValue(key, out var list))
                {
                    queues[key] = list = [];
                }
                list.Add(new RegisteredTaskQueue(r.GetString(2), r.GetString(3), (TaskKind)r.GetInt32(4)));
            }
        }
        await tx.CommitAsync(ct);
        return new DeploymentRoutingSnapshot(deployments
            .Select(d => DeploymentRoutingOf.Record(d, queues.GetValueOrDefault((d.NamespaceId, d.Name)) ?? []))
            .ToList());
    }

    private static async Task<WorkerDeploymentRecord?> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string namespaceId,
        string name, string sql, CancellationToken ct)
    {
        WorkerDeploymentRecord? deployment;
        await using (var cmd = Keyed(conn, tx, sql, namespaceId, name))
        {
            deployment = (await ReadDeploymentsAsync(cmd, ct)).FirstOrDefault();
        }
        return deployment is null ? null : deployment with { Versions = await LoadVersionsAsync(conn, tx, namespaceId, name, ct) };
    }

    private static async Task<List<WorkerDeploymentVersionRecord>> LoadVersionsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        string namespaceId, string name, CancellationToken ct)
    {
        var queues = new Dictionary<string, List<VersionTaskQueue>>();
        await using (var cmd = Keyed(conn, tx, SelectTaskQueuesSql, namespaceId, name))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (!queues.TryGetValue(r.GetString(0), out var list))
                {
                    queues[r.GetString(0)] = list = [];
                }
                list.Add(new VersionTaskQueue(r.GetString(1), (TaskKind)r.GetInt32(2)));
            }
        }
        var versions = new List<WorkerDeploymentVersionRecord>();
        await using var vc = Keyed(conn, tx, SelectVersionsSql, namespaceId, name);
        await using var v = await vc.ExecuteReaderAsync(ct);
        while (await v.ReadAsync(ct))
        {
            var buildId = v.GetString(0);
            versions.Add(new WorkerDeploymentVersionRecord(
                buildId, ReadTime(v, 1)!.Value, (WorkerDeploymentVersionStatus)v.GetInt32(2), ReadTime(v, 3), ReadTime(v, 4), ReadTime(v, 5),
                v.GetFloat(6), ReadTime(v, 7), ReadTime(v, 8), (VersionDrainageStatus)v.GetInt32(9), ReadTime(v, 10), ReadTime(v, 11),
                v.IsDBNull(12) ? null : (byte[])v[12], queues.GetValueOrDefault(buildId) ?? []));
        }
        return versions;
    }

    private static async Task<List<WorkerDeploymentRecord>> ReadDeploymentsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<WorkerDeploymentRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new WorkerDeploymentRecord(
                r.GetString(0), r.GetString(1), ReadTime(r, 2)!.Value, r.IsDBNull(3) ? null : r.GetString(3), ReadTime(r, 4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetFloat(6), ReadTime(r, 7), ReadTime(r, 8), ReadTime(r, 9)!.Value,
                r.GetInt64(10), r.IsDBNull(11) ? null : r.GetString(11), r.GetInt64(12), []));
        }
        return list;
    }

    private static NpgsqlCommand Keyed(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, string namespaceId, string? name)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("ns", namespaceId);
        if (name is not null)
        {
            cmd.Parameters.AddWithValue("name", name);
        }
        return cmd;
    }

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = (object?)value?.UtcDateTime ?? DBNull.Value };

    private static DateTimeOffset? ReadTime(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);
}
