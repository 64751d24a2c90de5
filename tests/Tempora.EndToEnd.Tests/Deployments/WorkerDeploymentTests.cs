// 1.28 answers the deprecated v0.31 fields (previous_*, version strings); these tests read them as the SDKs and CLI do.
#pragma warning disable CS0612
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using static Tempora.EndToEnd.Tests.Deployments.DeploymentCalls;
using Status = Temporalio.Exceptions.RpcException.StatusCode;

namespace Tempora.EndToEnd.Tests.Deployments;

/// <summary>
/// The worker deployment RPCs as Temporal 1.28 answers them, over raw gRPC: versioned polls register their version,
/// describe and list show it, set current and ramping follow the conflict token and the no-change rule, and deletes and
/// metadata keep 1.28's checks and words.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class WorkerDeploymentTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    private WorkflowService Service => Client.Connection.WorkflowService;

    private static string NewDeployment(string hint) => $"{hint}-{Guid.NewGuid():N}"[..(hint.Length + 13)];

    [Fact]
    public async Task VersionedPolls_RegisterTheVersionAndItsQueues_OnceEach_AndDescribeListShowThem()
    {
        var deployment = NewDeployment("reg");
        var taskQueue = ServerFixture.NewTaskQueue("dep-reg");
        await PollAsync(Client, deployment, "b1", taskQueue);
        await PollAsync(Client, deployment, "b1", taskQueue);
        await PollAsync(Client, deployment, "b1", taskQueue, TaskQueueType.Activity);

        var described = await DescribeAsync(Client, deployment);
        var info = described.WorkerDeploymentInfo;
        Assert.Equal(deployment, info.Name);
        Assert.Equal("__unversioned__", info.RoutingConfig.CurrentVersion);
        Assert.Null(info.RoutingConfig.CurrentDeploymentVersion);
        Assert.Equal("", info.RoutingConfig.RampingVersion);
        var summary = Assert.Single(info.VersionSummaries);
        Assert.Equal($"{deployment}.b1", summary.Version);
        Assert.Equal(WorkerDeploymentVersionStatus.Inactive, summary.Status);
        Assert.Equal(8, described.ConflictToken.Length);

        var byString = await Service.DescribeWorkerDeploymentVersionAsync(new DescribeWorkerDeploymentVersionRequest
        {
            Namespace = "default",
            Version = $"{deployment}:b1", // the v0.32 form parses too
        });
        var byStructure = await Service.DescribeWorkerDeploymentVersionAsync(new DescribeWorkerDeploymentVersionRequest
        {
            Namespace = "default",
            DeploymentVersion = new WorkerDeploymentVersion { DeploymentName = deployment, BuildId = "b1" },
        });
        Assert.Equal(byString, byStructure);
        var version = byStructure.WorkerDeploymentVersionInfo;
        Assert.Equal([(taskQueue, TaskQueueType.Workflow), (taskQueue, TaskQueueType.Activity)],
            version.TaskQueueInfos.Select(q => (q.Name, q.Type)).OrderBy(q => q.Type));
        Assert.Null(version.DrainageInfo);

        var listed = await Service.ListWorkerDeploymentsAsync(new ListWorkerDeploymentsRequest { Namespace = "default" });
        var entry = listed.WorkerDeployments.Single(d => d.Name == deployment);
        Assert.Equal("b1", entry.LatestVersionSummary.DeploymentVersion.BuildId);
        Assert.Null(entry.CurrentVersionSummary);
    }

    [Fact]
    public async Task AnSdkWorkerWithVersioningOn_RegistersItsVersion_AndItCanBeMadeCurrent()
    {
        var deployment = NewDeployment("sdk");
        var taskQueue = ServerFixture.NewTaskQueue("dep-sdk");
        var version = new Temporalio.Common.WorkerDeploymentVersion(deployment, "1.0");
        using var worker = new Temporalio.Worker.TemporalWorker(Client, new Temporalio.Worker.TemporalWorkerOptions(taskQueue)
        {
            DeploymentOptions = new(version, useWorkerVersioning: true) { DefaultVersioningBehavior = Temporalio.Common.VersioningBehavior.Pinned },
        }.AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(async () =>
        {
            // As the SDK's own tests wait (TestUtils.WaitUntilWorkerDeploymentVisibleAsync): until the version shows.
            var described = await Wait.UntilAsync(
                async () =>
                {
                    try
                    {
                        return await DescribeAsync(Client, deployment);
                    }
                    catch (RpcException e) when (e.Code == Status.NotFound)
                    {
                        return null;
                    }
                },
                d => d?.WorkerDeploymentInfo.VersionSummaries.Any(s => s.Version == version.ToCanonicalString()) == true,
                "the SDK worker's version to be registered");
            var version1 = await Service.DescribeWorkerDeploymentVersionAsync(new()
            {
                Namespace = "default",
                DeploymentVersion = new() { DeploymentName = deployment, BuildId = "1.0" },
            });
            Assert.Contains(version1.WorkerDeploymentVersionInfo.TaskQueueInfos, q => q.Name == taskQueue && q.Type == TaskQueueType.Workflow);
            await Service.SetWorkerDeploymentCurrentVersionAsync(new()
            {
                Namespace = "default",
                DeploymentName = deployment,
                Version = version.ToCanonicalString(),
                ConflictToken = described!.ConflictToken,
                Identity = "sdk-test",
            });
            Assert.Equal("1.0", (await DescribeAsync(Client, deployment)).WorkerDeploymentInfo.RoutingConfig.CurrentDeploymentVersion.BuildId);
        });
    }

    [Fact]
    public async Task VersionedPolls_WithoutANameOrBuildId_OrWithADotInTheName_AreRefusedIn128sWords()
    {
        var taskQueue = ServerFixture.NewTaskQueue("dep-bad");
        await RefusedAsync(() => PollAsync(Client, "", "b1", taskQueue), Status.InvalidArgument, "versioned worker must have deployment name");
        await RefusedAsync(() => PollAsync(Client, "dep", "", taskQueue), Status.InvalidArgument, "versioned worker must have build id");
        await RefusedAsync(() => PollAsync(Client, "a.b", "b1", taskQueue), Status.InvalidArgument, "deployment name cannot contain ':' or '.'");
    }

    [Fact]
    public async Task SetCurrentVersion_AsTheCliDoesIt_DescribeForTheTokenThenSet_DrainsThePreviousCurrent()
    {
        var deployment = NewDeployment("cur");
        var taskQueue = ServerFixture.NewTaskQueue("dep-cur");
        await PollAsync(Client, deployment, "b1", taskQueue);
        await PollAsync(Client, deployment, "b2", taskQueue);
        var token = await TokenAsync(Client, deployment);

        var first = await Service.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = "default",
            DeploymentName = deployment,
            BuildId = "b1",
            ConflictToken = token,
            Identity = "cli",
        });
        Assert.Equal("__unversioned__", first.PreviousVersion);
        Assert.Null(first.PreviousDeploymentVersion);
        Assert.NotEqual(token, first.ConflictToken);

        var described = await DescribeAsync(Client, deployment);
        Assert.Equal(first.ConflictToken, described.ConflictToken);
        Assert.Equal("b1", described.WorkerDeploymentInfo.RoutingConfig.CurrentDeploymentVersion.BuildId);
        Assert.Equal("cli", described.WorkerDeploymentInfo.LastModifierIdentity);
        var b1 = Summary(described, "b1");
        Assert.Equal(WorkerDeploymentVersionStatus.Current, b1.Status);
        Assert.NotNull(b1.CurrentSinceTime);
        Assert.NotNull(b1.FirstActivationTime);

        // The token read before the change is stale now.
        await RefusedAsync(() => Service.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = "default",
            DeploymentName = deployment,
            BuildId = "b2",
            ConflictToken = token,
            Identity = "cli",
        }), Status.FailedPrecondition, "conflict token mismatch");

        // No change (same version, same identity): success, the request's version as the previous one, the token kept.
        var same = await Service.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = "default",
            DeploymentName = deployment,
            BuildId = "b1",
            ConflictToken = token,
            Identity = "cli",
        });
        Assert.Equal((first.ConflictToken, "b1"), (same.ConflictToken, same.PreviousDeploymentVersion.BuildId));

        var second = await Service.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = "default",
            DeploymentName = deployment,
            Version = $"{deployment}.b2",
            ConflictToken = first.ConflictToken,
            Identity = "cli",
        });
        Assert.Equal("b1", second.PreviousDeploymentVersion.BuildId);
        var after = await DescribeAsync(Client, deployment);
        Assert.Equal(WorkerDeploymentVersionStatus.Current, Summary(after, "b2").Status);
        var drained = Summary(after, "b1");
        Assert.Equal(WorkerDeploymentVersionStatus.Draining, drained.Status);
        Assert.Equal(VersionDrainageStatus.Draining, drained.DrainageInfo.Status);
        Assert.NotNull(drained.LastDeactivationTime);

        // Back to unversioned: an empty build id.
        var unversioned = await Service.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = "default",
            DeploymentName = deployment,
            Identity = "cli",
        });
        Assert.Equal("b2", unversioned.PreviousDeploymentVersion.BuildId);
        Assert.Null((await DescribeAsync(Client, deployment)).WorkerDeploymentInfo.RoutingConfig.CurrentDeploymentVersion);
    }

    [Fact]
    public async Task SetCurrentVersion_Refusals_AreTemporals()
    {
        var deployment = NewDeployment("cur-err");
        await PollAsync(Client, deployment, "b1", ServerFixture.NewTaskQueue("dep-cur-err"));
        SetWorkerDeploymentCurrentVersionRequest Request(string name, string buildId) =>
            new() { Namespace = "default", DeploymentName = name, BuildId = buildId, Identity = "t" };

        await RefusedAsync(() => Service.SetWorkerDeploymentCurrentVersionAsync(Request(deployment, "nope")),
            Status.NotFound, "Version not found in deployment");
        await RefusedAsync(() => Service.SetWorkerDeploymentCurrentVersionAsync(Request(NewDeployment("none"), "b1")),
            Status.NotFound, "Worker Deployment not found");
        await RefusedAsync(() => Service.SetWorkerDeploymentCurrentVersionAsync(Request("", "b1")),
            Status.InvalidArgument, "deployment name cannot be empty");
        var mismatch = Request(deployment, "");
        mismatch.Version = "other.b1";
        await RefusedAsync(() => Service.SetWorkerDeploymentCurrentVersionAsync(mismatch),
            Status.InvalidArgument, $"invalid version string 'other.b1' does not match deployment name '{deployment}'");
    }

    [Fact]
    public async Task SetRampingVersion_RampsChangesPercentageAndUnsets_WithTemporalsChecks()
    {
        var deployment = NewDeployment("ramp");
        var taskQueue = ServerFixture.NewTaskQueue("dep-ramp");
        await PollAsync(Client, deployment, "b1", taskQueue);
        await PollAsync(Client, deployment, "b2", taskQueue);
        await Service.SetWorkerDeploymentCurrentVersionAsync(new() { Namespace = "default", DeploymentName = deployment, BuildId = "b1", Identity = "t" });
        SetWorkerDeploymentRampingVersionRequest Ramp(string buildId, float percentage, ByteString? token = null) => new()
        {
            Namespace = "default",
            DeploymentName = deployment,
            BuildId = buildId,
            Percentage = percentage,
            Identity = "t",
            ConflictToken = token ?? ByteString.Empty,
        };

        await RefusedAsync(() => Service.SetWorkerDeploymentRampingVersionAsync(Ramp("b2", 101)),
            Status.InvalidArgument, "Percentage must be between 0 and 100 (inclusive)");
        await RefusedAsync(() => Service.SetWorkerDeploymentRampingVersionAsync(Ramp("b1", 10)),
            Status.FailedPrecondition, $"requested ramping version {deployment}.b1 is already current");

        var ramped = await Service.SetWorkerDeploymentRampingVersionAsync(Ramp("b2", 30, await TokenAsync(Client, deployment)));
        Assert.Equal(("", 0f), (ramped.PreviousVersion, ramped.PreviousPercentage));
        var routing = (await DescribeAsync(Client, deployment)).WorkerDeploymentInfo.RoutingConfig;
        Assert.Equal(($"{deployment}.b2", "b2", 30f), (routing.RampingVersion, routing.RampingDeploymentVersion.BuildId, routing.RampingVersionPercentage));
        var since = Summary(await DescribeAsync(Client, deployment), "b2").RampingSinceTime;
        Assert.Equal(WorkerDeploymentVersionStatus.Ramping, Summary(await DescribeAsync(Client, deployment), "b2").Status);

        var moved = await Service.SetWorkerDeploymentRampingVersionAsync(Ramp("b2", 60, ramped.ConflictToken));
        Assert.Equal(30f, moved.PreviousPercentage);
        var b2 = Summary(await DescribeAsync(Client, deployment), "b2");
        Assert.Equal(since, b2.RampingSinceTime); // a percentage change keeps the ramp's start

        var unset = await Service.SetWorkerDeploymentRampingVersionAsync(Ramp("", 0, moved.ConflictToken));
        Assert.Equal("b2", unset.PreviousDeploymentVersion.BuildId);
        var after = await DescribeAsync(Client, deployment);
        Assert.Null(after.WorkerDeploymentInfo.RoutingConfig.RampingDeploymentVersion);
        Assert.Equal(WorkerDeploymentVersionStatus.Draining, Summary(after, "b2").Status);

        await Service.SetWorkerDeploymentRampingVersionAsync(Ramp("", 20));
        Assert.Equal("__unversioned__", (await DescribeAsync(Client, deployment)).WorkerDeploymentInfo.RoutingConfig.RampingVersion);
    }

    [Fact]
    public async Task DeleteVersion_RefusesCurrentDrainingAndPolledVersions_AndIgnoresUnknownOnes()
    {
        var deployment = NewDeployment("delv");
        var taskQueue = ServerFixture.NewTaskQueue("dep-delv");
        await PollAsync(Client, deployment, "b1", taskQueue);
        await PollAsync(Client, deployment, "b2", taskQueue);
        await Service.SetWorkerDeploymentCurrentVersionAsync(new() { Namespace = "default", DeploymentName = deployment, BuildId = "b1", Identity = "t" });
        DeleteWorkerDeploymentVersionRequest Delete(string buildId, bool skipDrainage = false) => new()
        {
            Namespace = "default",
            DeploymentVersion = new() { DeploymentName = deployment, BuildId = buildId },
            SkipDrainage = skipDrainage,
        };

        await RefusedAsync(() => Service.DeleteWorkerDeploymentVersionAsync(Delete("b1")),
            Status.FailedPrecondition, "Version cannot be deleted since it is current or ramping.");
        await Service.SetWorkerDeploymentCurrentVersionAsync(new() { Namespace = "default", DeploymentName = deployment, BuildId = "b2", Identity = "t" });
        await RefusedAsync(() => Service.DeleteWorkerDeploymentVersionAsync(Delete("b1")),
            Status.FailedPrecondition, "Version cannot be deleted since it is draining.");
        await RefusedAsync(() => Service.DeleteWorkerDeploymentVersionAsync(Delete("b1", skipDrainage: true)),
            Status.FailedPrecondition, "Version cannot be deleted since it has active pollers.");
        await Service.DeleteWorkerDeploymentVersionAsync(Delete("never-registered"));
        await Service.DeleteWorkerDeploymentVersionAsync(new() { Namespace = "default", DeploymentVersion = new() { DeploymentName = NewDeployment("none"), BuildId = "b" } });

        await RefusedAsync(() => Service.DeleteWorkerDeploymentAsync(new() { Namespace = "default", DeploymentName = deployment }),
            Status.FailedPrecondition, "deployment has versions, can't be deleted");
        await Service.DeleteWorkerDeploymentAsync(new() { Namespace = "default", DeploymentName = NewDeployment("none") });
    }

    [Fact]
    public async Task DescribeVersion_Refusals_AreTemporals()
    {
        await RefusedAsync(() => Service.DescribeWorkerDeploymentVersionAsync(new() { Namespace = "default" }),
            Status.InvalidArgument, "deployment version cannot be empty");
        await RefusedAsync(() => Service.DescribeWorkerDeploymentVersionAsync(new() { Namespace = "default", Version = "nodelimiter" }),
            Status.InvalidArgument, "invalid version string \"nodelimiter\", expected format is \"<deployment_name>.<build_id>\"");
        await RefusedAsync(() => Service.DescribeWorkerDeploymentVersionAsync(new() { Namespace = "default", Version = "dep.__b" }),
            Status.InvalidArgument, "BuildID cannot start with '__'");
        await RefusedAsync(() => Service.DescribeWorkerDeploymentVersionAsync(new() { Namespace = "default", Version = $"{NewDeployment("none")}.b" }),
            Status.NotFound, "Worker Deployment Version not found");
        await RefusedAsync(() => DescribeAsync(Client, NewDeployment("none")), Status.NotFound, "Worker Deployment not found");
    }

    [Fact]
    public async Task UpdateVersionMetadata_UpsertsAndRemovesEntries_AnswersTheWholeMap()
    {
        var deployment = NewDeployment("meta");
        await PollAsync(Client, deployment, "b1", ServerFixture.NewTaskQueue("dep-meta"));
        var version = new WorkerDeploymentVersion { DeploymentName = deployment, BuildId = "b1" };
        var payload = new Payload { Data = ByteString.CopyFromUtf8("\"v\"") };
        payload.Metadata["encoding"] = ByteString.CopyFromUtf8("json/plain");

        await RefusedAsync(() => Service.UpdateWorkerDeploymentVersionMetadataAsync(new() { Namespace = "default", DeploymentVersion = version }),
            Status.InvalidArgument, "At least one of remove_entries or upsert_entries must be provided");
        var upsert = new UpdateWorkerDeploymentVersionMetadataRequest { Namespace = "default", DeploymentVersion = version };
        upsert.UpsertEntries["a"] = payload;
        upsert.UpsertEntries["b"] = payload;
        Assert.Equal(["a", "b"], (await Service.UpdateWorkerDeploymentVersionMetadataAsync(upsert)).Metadata.Entries.Keys.Order());
        var remove = new UpdateWorkerDeploymentVersionMetadataRequest { Namespace = "default", DeploymentVersion = version, RemoveEntries = { "a" } };
        Assert.Equal(["b"], (await Service.UpdateWorkerDeploymentVersionMetadataAsync(remove)).Metadata.Entries.Keys);
        var described = await Service.DescribeWorkerDeploymentVersionAsync(new() { Namespace = "default", DeploymentVersion = version });
        Assert.Equal(payload, described.WorkerDeploymentVersionInfo.Metadata.Entries["b"]);

        var unknown = new UpdateWorkerDeploymentVersionMetadataRequest
        {
            Namespace = "default",
            DeploymentVersion = new() { DeploymentName = deployment, BuildId = "nope" },
            RemoveEntries = { "a" },
        };
        await RefusedAsync(() => Service.UpdateWorkerDeploymentVersionMetadataAsync(unknown), Status.NotFound, "Worker Deployment Version not found");
    }
}
