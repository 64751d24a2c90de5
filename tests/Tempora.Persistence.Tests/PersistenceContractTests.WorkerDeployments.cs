using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;
using Temporalio.Api.Enums.V1;
using static Tempora.Persistence.Tests.TestData;

namespace Tempora.Persistence.Tests;

/// <summary>Worker deployments: idempotent, race-safe registration with Temporal 1.28's limits, conditional updates,
/// deletes, lists in name order, and the routing snapshot.</summary>
public abstract partial class PersistenceContractTests
{
    /// <summary>The schema version that added the worker deployment tables (SQLite 8, PostgreSQL 13).</summary>
    protected abstract int WorkerDeploymentsSchemaVersion { get; }

    private IWorkerDeploymentStore Deployments => Store.WorkerDeployments;

    private Task<bool> RegisterAsync(string deployment, string buildId, string taskQueue, TaskKind kind = TaskKind.Workflow,
        DateTimeOffset? now = null, string ns = NamespaceId, Func<DeploymentVersion, IReadOnlyList<VersionTaskQueue>, bool>? hasPollers = null) =>
        Deployments.RegisterAsync(ns, new DeploymentVersion(deployment, buildId), taskQueue, kind, now ?? T0, Ct, hasPollers);

    [Fact]
    public async Task WorkerDeployment_Register_CreatesDeploymentVersionAndQueue_OnceEach_AndSurvivesARestart()
    {
        Assert.True(await RegisterAsync("dep", "b1", "tq", TaskKind.Workflow));
        Assert.False(await RegisterAsync("dep", "b1", "tq", TaskKind.Workflow, T0.AddMinutes(1)));
        Assert.True(await RegisterAsync("dep", "b1", "tq", TaskKind.Activity, T0.AddMinutes(1)));
        Assert.True(await RegisterAsync("dep", "b2", "tq", TaskKind.Workflow, T0.AddMinutes(2)));
        await ReopenAsync();

        var d = await Deployments.GetAsync(NamespaceId, "dep", Ct);
        Assert.NotNull(d);
        Assert.Equal((T0, (string?)null, (string?)null), (d.CreateTime, d.CurrentBuildId, d.RampingBuildId));
        Assert.Equal(["b2", "b1"], d.Versions.Select(v => v.BuildId)); // newest first
        var b1 = d.Version("b1")!;
        Assert.Equal((T0, WorkerDeploymentVersionStatus.Inactive), (b1.CreateTime, b1.Status));
        Assert.Equal([new VersionTaskQueue("tq", TaskKind.Workflow), new VersionTaskQueue("tq", TaskKind.Activity)],
            b1.TaskQueues.OrderBy(q => q.Kind));
        Assert.Null(await Deployments.GetAsync(NamespaceId, "other", Ct));
        Assert.Null(await Deployments.GetAsync("other-ns", "dep", Ct));
    }

    [Fact]
    public async Task WorkerDeployment_ConcurrentRegistrations_OfOneVersion_AddItOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RegisterAsync("race", "b1", "tq")));
        Assert.Equal(1, results.Count(added => added));
        var d = await Deployments.GetAsync(NamespaceId, "race", Ct);
        Assert.Single(d!.Versions);
        Assert.Single(d.Versions[0].TaskQueues);
    }

    [Fact]
    public async Task WorkerDeployment_Limits_AreTemporals_AndAFullDeploymentMakesRoomByDeletingTheOldestEligibleVersion()
    {
        for (var i = 0; i < DeploymentLimitException.MaxTaskQueuesPerVersion; i++)
        {
            await RegisterAsync("queues", "b", $"tq-{i}");
        }
        var queues = await Assert.ThrowsAsync<DeploymentLimitException>(() => RegisterAsync("queues", "b", "one-more"));
        Assert.Equal("cannot add task queue one-more since maximum number of task queues (100) have been registered in deployment", queues.Message);
        Assert.True(await RegisterAsync("queues", "b", "tq-0", TaskKind.Activity)); // a new type of a known queue is not a new queue

        for (var i = 0; i < DeploymentLimitException.MaxVersionsPerDeployment; i++)
        {
            await RegisterAsync("versions", $"b{i}", "tq", now: T0.AddSeconds(i));
        }
        // The oldest (b0) has pollers, so b1 goes.
        Assert.True(await RegisterAsync("versions", "new", "tq", now: T0.AddHours(1), hasPollers: (v, _) => v.BuildId == "b0"));
        var d = (await Deployments.GetAsync(NamespaceId, "versions", Ct))!;
        Assert.Equal(100, d.Versions.Count);
        Assert.NotNull(d.Version("b0"));
        Assert.Null(d.Version("b1"));
        Assert.NotNull(d.Version("new"));

        var full = await Assert.ThrowsAsync<DeploymentLimitException>(() =>
            RegisterAsync("versions", "newer", "tq", now: T0.AddHours(2), hasPollers: (_, _) => true));
        Assert.Equal("cannot add version versions.newer since maximum number of versions (100) have been registered in the deployment", full.Message);

        for (var i = 0; i < DeploymentLimitException.MaxDeploymentsPerNamespace; i++)
        {
            await RegisterAsync($"d{i}", "b", "tq", ns: "ns-limit");
        }
        var deployments = await Assert.ThrowsAsync<DeploymentLimitException>(() => RegisterAsync("d-extra", "b", "tq", ns: "ns-limit"));
        Assert.Equal("reached maximum deployments in namespace (100)", deployments.Message);
        Assert.False(await RegisterAsync("d0", "b", "tq", ns: "ns-limit")); // known deployments still register
    }

    [Fact]
    public async Task WorkerDeployment_Update_WinsOnlyAtTheRowVersionItRead_AndDeletesVersionsItDrops()
    {
        await RegisterAsync("upd", "b1", "tq");
        await RegisterAsync("upd", "b2", "tq", now: T0.AddSeconds(1));
        var read = (await Deployments.GetAsync(NamespaceId, "upd", Ct))!;
        var metadata = RandomBytes(12);
        var changed = read with
        {
            CurrentBuildId = "b1",
            CurrentChangedTime = T0.AddMinutes(1),
            RampingBuildId = "",
            RampPercentage = 12.5f,
            RampingChangedTime = T0.AddMinutes(2),
            RampPercentageChangedTime = T0.AddMinutes(3),
            RoutingChangedTime = T0.AddMinutes(3),
            ConflictToken = read.ConflictToken + 7,
            LastModifierIdentity = "me",
            Versions = [read.Version("b1")! with
            {
                Status = WorkerDeploymentVersionStatus.Draining,
                RoutingUpdateTime = T0.AddMinutes(1),
                CurrentSinceTime = T0.AddMinutes(1),
                RampPercentage = 3,
                FirstActivationTime = T0.AddMinutes(1),
                LastDeactivationTime = T0.AddMinutes(4),
                DrainageStatus = VersionDrainageStatus.Draining,
                DrainageChangedTime = T0.AddMinutes(4),
                DrainageCheckedTime = T0.AddMinutes(5),
                Metadata = metadata,
            }],
        };
        await Deployments.UpdateAsync(changed, Ct);
        await Assert.ThrowsAsync<WorkerDeploymentChangedException>(() => Deployments.UpdateAsync(changed, Ct));
        await ReopenAsync();

        var stored = (await Deployments.GetAsync(NamespaceId, "upd", Ct))!;
        Assert.Equal(changed with { RowVersion = read.RowVersion + 1, Versions = stored.Versions }, stored);
        Assert.Equal(changed.Versions[0] with { Metadata = null, TaskQueues = [] }, stored.Versions.Single() with { Metadata = null, TaskQueues = [] });
        Assert.Equal(metadata, stored.Versions[0].Metadata);

        // A registration moves the row version: an update from before it loses, the conflict token stays.
        await RegisterAsync("upd", "b3", "tq", now: T0.AddMinutes(6));
        await Assert.ThrowsAsync<WorkerDeploymentChangedException>(() => Deployments.UpdateAsync(stored, Ct));
        Assert.Equal(changed.ConflictToken, (await Deployments.GetAsync(NamespaceId, "upd", Ct))!.ConflictToken);
    }

    [Fact]
    public async Task WorkerDeployment_Delete_OnlyWithoutVersions_AtTheRowVersionRead()
    {
        await RegisterAsync("del", "b1", "tq");
        var d = (await Deployments.GetAsync(NamespaceId, "del", Ct))!;
        await Assert.ThrowsAsync<WorkerDeploymentChangedException>(() => Deployments.DeleteAsync(NamespaceId, "del", d.RowVersion, Ct));
        await Deployments.UpdateAsync(d with { Versions = [] }, Ct);
        await Assert.ThrowsAsync<WorkerDeploymentChangedException>(() => Deployments.DeleteAsync(NamespaceId, "del", d.RowVersion, Ct));
        await Deployments.DeleteAsync(NamespaceId, "del", d.RowVersion + 1, Ct);
        Assert.Null(await Deployments.GetAsync(NamespaceId, "del", Ct));
        Assert.True(await RegisterAsync("del", "b1", "tq")); // its task queues went with the version
    }

    [Fact]
    public async Task WorkerDeployment_List_PagesInNameOrder_PerNamespace()
    {
        foreach (var name in new[] { "c", "a", "B", "b" })
        {
            await RegisterAsync(name, "x", "tq");
        }
        await RegisterAsync("z", "x", "tq", ns: "ns-other");
        var first = await Deployments.ListAsync(NamespaceId, null, 3, Ct);
        var second = await Deployments.ListAsync(NamespaceId, first[^1].Name, 3, Ct);
        Assert.Equal(["B", "a", "b", "c"], first.Concat(second).Select(d => d.Name)); // ordinal
        Assert.All(first, d => Assert.Equal("x", Assert.Single(d.Versions).BuildId));
    }

    [Fact]
    public async Task WorkerDeployment_RoutingSnapshot_HasEveryDeploymentsRoutingAndQueues()
    {
        await RegisterAsync("r", "b1", "tq-a");
        await RegisterAsync("r", "b2", "tq-a", TaskKind.Activity);
        await RegisterAsync("s", "b1", "tq-b", ns: "ns-other");
        var r = (await Deployments.GetAsync(NamespaceId, "r", Ct))!;
        await Deployments.UpdateAsync(r with { CurrentBuildId = "b1", RampingBuildId = "b2", RampPercentage = 30, RoutingChangedTime = T0.AddMinutes(1) }, Ct);

        var snapshot = await Deployments.LoadRoutingAsync(Ct);
        var routing = snapshot.Deployments.Single(d => d.DeploymentName == "r");
        Assert.Equal((new DeploymentVersion("r", "b1"), new DeploymentVersion("r", "b2"), true, 30f, T0.AddMinutes(1)),
            (routing.Current, routing.Ramping, routing.IsRamping, routing.RampPercentage, routing.RoutingChangedTime));
        Assert.Equal([new RegisteredTaskQueue("b1", "tq-a", TaskKind.Workflow), new RegisteredTaskQueue("b2", "tq-a", TaskKind.Activity)],
            routing.TaskQueues.OrderBy(q => q.BuildId));
        var s = snapshot.Deployments.Single(d => d.DeploymentName == "s");
        Assert.Equal(("ns-other", (DeploymentVersion?)null, false), (s.NamespaceId, s.Current, s.IsRamping));
    }

    [Fact]
    public async Task WorkerDeploymentTables_AreAddedByTheMigration_FromThePreviousSchemaVersion()
    {
        var current = Store;
        Store = null!;
        await current.DisposeAsync();
        await ExecuteOnMainDatabaseAsync(
            $"{DropTaskVersions} DROP TABLE worker_deployment_task_queues; DROP TABLE worker_deployment_versions; DROP TABLE worker_deployments; DELETE FROM schema_version WHERE version >= {WorkerDeploymentsSchemaVersion};");

        var refused = await Assert.ThrowsAsync<SchemaVersionMismatchException>(() => OpenStoreAsync(migrate: false));
        Assert.Contains($"schema version {WorkerDeploymentsSchemaVersion - 1}", refused.Message, StringComparison.Ordinal);
        Store = await OpenStoreAsync(migrate: true);
        Assert.True(await RegisterAsync("migrated", "b", "tq"));
    }
}
