using Microsoft.Data.Sqlite;
using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;
using Temporalio.Api.Enums.V1;

namespace Tempora.Persistence.Sqlite;

/// <summary>
/// Worker deployments on SQLite. Every write is one transaction of the single writer, so a registration reads the
/// deployment, applies <see cref="RegistrationPlan"/> and inserts (insert-or-ignore) without a race; an update carries
/// the row version it read in its WHERE clause.
/// </summary>
internal sealed class SqliteWorkerDeploymentStore(SqliteDatabase db) : IWorkerDeploymentStore
{
    private const string DeploymentColumns = """
        namespace_id, name, create_time, current_build_id, current_changed_time, ramping_build_id, ramp_percentage,
        ramping_changed_time, ramp_percentage_changed_time, routing_changed_time, conflict_token, last_modifier_identity, row_version
        """;
    private const string VersionColumns = """
        build_id, create_time, status, routing_update_time, current_since_time, ramping_since_time, ramp_percentage,
        first_activation_time, last_deactivation_time, drainage_status, drainage_changed_time, drainage_checked_time, metadata
        """;
    private const string SelectDeploymentSql = $"SELECT {DeploymentColumns} FROM worker_deployments WHERE namespace_id = $ns AND name = $name";
    private const string ListSql = $"SELECT {DeploymentColumns} FROM worker_deployments WHERE namespace_id = $ns ORDER BY name LIMIT $limit";
    private const string ListAfterSql = $"SELECT {DeploymentColumns} FROM worker_deployments WHERE namespace_id = $ns AND name > $after ORDER BY name LIMIT $limit";
    private const string AllDeploymentsSql = $"SELECT {DeploymentColumns} FROM worker_deployments";
    private const string SelectVersionsSql = $"""
        SELECT {VersionColumns} FROM worker_deployment_versions WHERE namespace_id = $ns AND deployment_name = $name
        ORDER BY create_time DESC, build_id
        """;
    private const string SelectTaskQueuesSql = """
        SELECT build_id, task_queue, task_type FROM worker_deployment_task_queues WHERE namespace_id = $ns AND deployment_name = $name
        ORDER BY task_queue, task_type
        """;
    private const string AllTaskQueuesSql = "SELECT namespace_id, deployment_name, build_id, task_queue, task_type FROM worker_deployment_task_queues";
    private const string CountDeploymentsSql = "SELECT COUNT(*) FROM worker_deployments WHERE namespace_id = $ns";
    private const string InsertDeploymentSql = """
        INSERT INTO worker_deployments (namespace_id, name, create_time, routing_changed_time, conflict_token, row_version)
        VALUES ($ns, $name, $now, $now, $token, 1) ON CONFLICT DO NOTHING
        """;
    private const string InsertVersionSql = """
        INSERT INTO worker_deployment_versions (namespace_id, deployment_name, build_id, create_time, status)
        VALUES ($ns, $name, $build, $now, $status) ON CONFLICT DO NOTHING
        """;
    private const string InsertTaskQueueSql = """
        INSERT INTO worker_deployment_task_queues (namespace_id, deployment_name, build_id, task_queue, task_type, registered_time)
        VALUES ($ns, $name, $build, $tq, $type, $now) ON CONFLICT DO NOTHING
        """;
    private const string BumpSql = "UPDATE worker_deployments SET row_version = row_version + 1 WHERE namespace_id = $ns AND name = $name";
    private const string UpdateDeploymentSql = """
        UPDATE worker_deployments SET current_build_id = $current, current_changed_time = $currentChanged, ramping_build_id = $ramping,
            ramp_percentage = $ramp, ramping_changed_time = $rampingChanged, ramp_percentage_changed_time = $rampChanged,
            routing_changed_time = $routingChanged, conflict_token = $token, last_modifier_identity = $identity, row_version = row_version + 1
        WHERE namespace_id = $ns AND name = $name AND row_version = $expected
        """;
    private const string UpdateVersionSql = """
        UPDATE worker_deployment_versions SET status = $status, routing_update_time = $routing, current_since_time = $currentSince,
            ramping_since_time = $rampingSince, ramp_percentage = $ramp, first_activation_time = $firstActivation,
            last_deactivation_time = $lastDeactivation, drainage_status = $drainage, drainage_changed_time = $drainageChanged,
            drainage_checked_time = $drainageChecked, metadata = $metadata
        WHERE namespace_id = $ns AND deployment_name = $name AND build_id = $build
        """;
    private const string SelectBuildIdsSql = "SELECT build_id FROM worker_deployment_versions WHERE namespace_id = $ns AND deployment_name = $name";
    private const string DeleteVersionSql = "DELETE FROM worker_deployment_versions WHERE namespace_id = $ns AND deployment_name = $name AND build_id = $build";
    private const string DeleteVersionTaskQueuesSql = "DELETE FROM worker_deployment_task_queues WHERE namespace_id = $ns AND deployment_name = $name AND build_id = $build";
    private const string DeleteDeploymentSql = """
        DELETE FROM worker_deployments WHERE namespace_id = $ns AND name = $name AND row_version = $expected
            AND NOT EXISTS (SELECT 1 FROM worker_deployment_versions WHERE namespace_id = $ns AND deployment_name = $name)
        """;

    public Task<bool> RegisterAsync(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind,
        DateTimeOffset now, CancellationToken ct, Func<DeploymentVersion, IReadOnlyList<VersionTaskQueue>, bool>? hasPollers = null) => db.InTransactionAsync((conn, tx) =>
    {
        var deployment = Load(tx, namespaceId, version.DeploymentName);
        var plan = RegistrationPlan.Decide(deployment, () => CountDeployments(tx, namespaceId), version, taskQueue, kind, hasPollers);
        if (!plan.Changes)
        {
            return false;
        }
        var nowMs = now.ToUnixTimeMilliseconds();
        if (plan.CreateDeployment)
        {
            var insert = Keyed(InsertDeploymentSql, tx, namespaceId, version.DeploymentName);
            insert.Parameters.AddWithValue("$now", nowMs);
            insert.Parameters.AddWithValue("$token", (now - DateTimeOffset.UnixEpoch).Ticks / 10);
            insert.ExecuteNonQuery();
        }
        if (plan.EvictBuildId is { } evict)
        {
            DeleteVersion(tx, namespaceId, version.DeploymentName, evict);
        }
        if (plan.AddVersion)
        {
            var insert = Keyed(InsertVersionSql, tx, namespaceId, version.DeploymentName);
            insert.Parameters.AddWithValue("$build", version.BuildId);
            insert.Parameters.AddWithValue("$now", nowMs);
            insert.Parameters.AddWithValue("$status", (int)WorkerDeploymentVersionStatus.Inactive);
            insert.ExecuteNonQuery();
        }
        var tq = Keyed(InsertTaskQueueSql, tx, namespaceId, version.DeploymentName);
        tq.Parameters.AddWithValue("$build", version.BuildId);
        tq.Parameters.AddWithValue("$tq", taskQueue);
        tq.Parameters.AddWithValue("$type", (int)kind);
        tq.Parameters.AddWithValue("$now", nowMs);
        tq.ExecuteNonQuery();
        Keyed(BumpSql, tx, namespaceId, version.DeploymentName).ExecuteNonQuery();
        return true;
    }, ct);

    public Task<WorkerDeploymentRecord?> GetAsync(string namespaceId, string name, CancellationToken ct) =>
        db.RunAsync(conn => Load(null, namespaceId, name), ct);

    public Task<IReadOnlyList<WorkerDeploymentRecord>> ListAsync(string namespaceId, string? afterName, int limit, CancellationToken ct) =>
        db.RunAsync(conn =>
        {
            var cmd = db.Statement(afterName is null ? ListSql : ListAfterSql, null);
            cmd.Parameters.AddWithValue("$ns", namespaceId);
            cmd.Parameters.AddWithValue("$limit", limit);
            if (afterName is not null)
            {
                cmd.Parameters.AddWithValue("$after", afterName);
            }
            var rows = ReadDeployments(cmd);
            return (IReadOnlyList<WorkerDeploymentRecord>)rows.Select(d => d with { Versions = LoadVersions(null, namespaceId, d.Name) }).ToList();
        }, ct);

    public Task UpdateAsync(WorkerDeploymentRecord deployment, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        var cmd = Keyed(UpdateDeploymentSql, tx, deployment.NamespaceId, deployment.Name);
        cmd.Parameters.AddWithValue("$current", (object?)deployment.CurrentBuildId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$currentChanged", Ms(deployment.CurrentChangedTime));
        cmd.Parameters.AddWithValue("$ramping", (object?)deployment.RampingBuildId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$ramp", deployment.RampPercentage);
        cmd.Parameters.AddWithValue("$rampingChanged", Ms(deployment.RampingChangedTime));
        cmd.Parameters.AddWithValue("$rampChanged", Ms(deployment.RampPercentageChangedTime));
        cmd.Parameters.AddWithValue("$routingChanged", deployment.RoutingChangedTime.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$token", deployment.ConflictToken);
        cmd.Parameters.AddWithValue("$identity", (object?)deployment.LastModifierIdentity ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$expected", deployment.RowVersion);
        if (cmd.ExecuteNonQuery() != 1)
        {
            throw new WorkerDeploymentChangedException(deployment.NamespaceId, deployment.Name);
        }
        var ids = Keyed(SelectBuildIdsSql, tx, deployment.NamespaceId, deployment.Name);
        var stored = new List<string>();
        using (var r = ids.ExecuteReader())
        {
            while (r.Read())
            {
                stored.Add(r.GetString(0));
            }
        }
        foreach (var gone in stored.Where(b => deployment.Version(b) is null))
        {
            DeleteVersion(tx, deployment.NamespaceId, deployment.Name, gone);
        }
        foreach (var v in deployment.Versions)
        {
            var u = Keyed(UpdateVersionSql, tx, deployment.NamespaceId, deployment.Name);
            u.Parameters.AddWithValue("$build", v.BuildId);
            u.Parameters.AddWithValue("$status", (int)v.Status);
            u.Parameters.AddWithValue("$routing", Ms(v.RoutingUpdateTime));
            u.Parameters.AddWithValue("$currentSince", Ms(v.CurrentSinceTime));
            u.Parameters.AddWithValue("$rampingSince", Ms(v.RampingSinceTime));
            u.Parameters.AddWithValue("$ramp", v.RampPercentage);
            u.Parameters.AddWithValue("$firstActivation", Ms(v.FirstActivationTime));
            u.Parameters.AddWithValue("$lastDeactivation", Ms(v.LastDeactivationTime));
            u.Parameters.AddWithValue("$drainage", (int)v.DrainageStatus);
            u.Parameters.AddWithValue("$drainageChanged", Ms(v.DrainageChangedTime));
            u.Parameters.AddWithValue("$drainageChecked", Ms(v.DrainageCheckedTime));
            u.Parameters.AddWithValue("$metadata", (object?)v.Metadata ?? DBNull.Value);
            u.ExecuteNonQuery();
        }
        return 1;
    }, ct);

    public Task DeleteAsync(string namespaceId, string name, long expectedRowVersion, CancellationToken ct) => db.InTransactionAsync((conn, tx) =>
    {
        var cmd = Keyed(DeleteDeploymentSql, tx, namespaceId, name);
        cmd.Parameters.AddWithValue("$expected", expectedRowVersion);
        return cmd.ExecuteNonQuery() == 1 ? 1 : throw new WorkerDeploymentChangedException(namespaceId, name);
    }, ct);

    public Task<DeploymentRoutingSnapshot> LoadRoutingAsync(CancellationToken ct) => db.RunAsync(conn =>
    {
        var deployments = ReadDeployments(db.Statement(AllDeploymentsSql, null));
        var queues = new Dictionary<(string, string), List<RegisteredTaskQueue>>();
        using (var r = db.Statement(AllTaskQueuesSql, null).ExecuteReader())
        {
            while (r.Read())
            {
                var key = (r.GetString(0), r.GetString(1));
                if (!queues.TryGetValue(key, out var list))
                {
                    queues[key] = list = [];
                }
                list.Add(new RegisteredTaskQueue(r.GetString(2), r.GetString(3), (TaskKind)r.GetInt32(4)));
            }
        }
        return new DeploymentRoutingSnapshot(deployments
            .Select(d => DeploymentRoutingOf.Record(d, queues.GetValueOrDefault((d.NamespaceId, d.Name)) ?? []))
            .ToList());
    }, ct);

    private WorkerDeploymentRecord? Load(SqliteTransaction? tx, string namespaceId, string name)
    {
        var deployment = ReadDeployments(Keyed(SelectDeploymentSql, tx, namespaceId, name)).FirstOrDefault();
        return deployment is null ? null : deployment with { Versions = LoadVersions(tx, namespaceId, name) };
    }

    private List<WorkerDeploymentVersionRecord> LoadVersions(SqliteTransaction? tx, string namespaceId, string name)
    {
        var queues = new Dictionary<string, List<VersionTaskQueue>>();
        using (var r = Keyed(SelectTaskQueuesSql, tx, namespaceId, name).ExecuteReader())
        {
            while (r.Read())
            {
                if (!queues.TryGetValue(r.GetString(0), out var list))
                {
                    queues[r.GetString(0)] = list = [];
                }
                list.Add(new VersionTaskQueue(r.GetString(1), (TaskKind)r.GetInt32(2)));
            }
        }
        var versions = new List<WorkerDeploymentVersionRecord>();
        using var v = Keyed(SelectVersionsSql, tx, namespaceId, name).ExecuteReader();
        while (v.Read())
        {
            var buildId = v.GetString(0);
            versions.Add(new WorkerDeploymentVersionRecord(
                buildId, Time(v, 1)!.Value, (WorkerDeploymentVersionStatus)v.GetInt32(2), Time(v, 3), Time(v, 4), Time(v, 5),
                v.GetFloat(6), Time(v, 7), Time(v, 8), (VersionDrainageStatus)v.GetInt32(9), Time(v, 10), Time(v, 11),
                v.IsDBNull(12) ? null : (byte[])v[12], queues.GetValueOrDefault(buildId) ?? []));
        }
        return versions;
    }

    private static List<WorkerDeploymentRecord> ReadDeployments(SqliteCommand cmd)
    {
        var list = new List<WorkerDeploymentRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new WorkerDeploymentRecord(
                r.GetString(0), r.GetString(1), Time(r, 2)!.Value, r.IsDBNull(3) ? null : r.GetString(3), Time(r, 4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetFloat(6), Time(r, 7), Time(r, 8), Time(r, 9)!.Value, r.GetInt64(10),
                r.IsDBNull(11) ? null : r.GetString(11), r.GetInt64(12), []));
        }
        return list;
    }

    private int CountDeployments(SqliteTransaction tx, string namespaceId)
    {
        var cmd = db.Statement(CountDeploymentsSql, tx);
        cmd.Parameters.AddWithValue("$ns", namespaceId);
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    private void DeleteVersion(SqliteTransaction tx, string namespaceId, string name, string buildId)
    {
        foreach (var sql in new[] { DeleteVersionTaskQueuesSql, DeleteVersionSql })
        {
            var cmd = Keyed(sql, tx, namespaceId, name);
            cmd.Parameters.AddWithValue("$build", buildId);
            cmd.ExecuteNonQuery();
        }
    }

    private SqliteCommand Keyed(string sql, SqliteTransaction? tx, string namespaceId, string name)
    {
        var cmd = db.Statement(sql, tx);
        cmd.Parameters.AddWithValue("$ns", namespaceId);
        cmd.Parameters.AddWithValue("$name", name);
        return cmd;
    }

    private static object Ms(DateTimeOffset? time) => time is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value;

    private static DateTimeOffset? Time(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
}
