using ApiBehavior = Temporalio.Api.Enums.V1.VersioningBehavior;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests.Deployments;

/// <summary>
/// A rollout as a user does it with the official .NET SDK's deployment options: two versions of the same workflow
/// code polling one task queue side by side, the operator moving the current and ramping version. Pinned runs never
/// leave their version; auto-upgrade runs move with the current version; a ramp splits new workflows by the hash of
/// their id, as Temporal splits them; an override pins or unpins a run; a pinned run's continuation stays pinned.
/// Each version's code says which version it is, so a run's result names the code that ran its last task.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class WorkerVersionRolloutTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    // The same two workflow types in two builds: each returns the build it finished on.
    [Workflow("Pinned", VersioningBehavior = VersioningBehavior.Pinned)]
    public sealed class PinnedV1
    {
        private bool _finish;
        private bool _continue;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish || _continue);
            if (!_finish)
            {
                throw Workflow.CreateContinueAsNewException((PinnedV1 wf) => wf.RunAsync());
            }
            return "v1";
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowSignal]
        public Task ContinueAsync()
        {
            _continue = true;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public string Build() => "v1";
    }

    [Workflow("Pinned", VersioningBehavior = VersioningBehavior.Pinned)]
    public sealed class PinnedV2
    {
        private bool _finish;
        private bool _continue;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish || _continue);
            if (!_finish)
            {
                throw Workflow.CreateContinueAsNewException((PinnedV2 wf) => wf.RunAsync());
            }
            return "v2";
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowSignal]
        public Task ContinueAsync()
        {
            _continue = true;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public string Build() => "v2";
    }

    [Workflow("Auto", VersioningBehavior = VersioningBehavior.AutoUpgrade)]
    public sealed class AutoV1
    {
        private bool _finish;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish);
            return "v1";
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public string Build() => "v1";
    }

    [Workflow("Auto", VersioningBehavior = VersioningBehavior.AutoUpgrade)]
    public sealed class AutoV2
    {
        private bool _finish;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish);
            return "v2";
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public string Build() => "v2";
    }

    /// <summary>A pinned run that waits for its version to stop being the target, then continues as new onto the new one.</summary>
    [Workflow("Upgrading", VersioningBehavior = VersioningBehavior.Pinned)]
    public sealed class UpgradingV1
    {
        [WorkflowRun]
        public async Task<string> RunAsync(bool continued)
        {
            if (continued)
            {
                return "v1";
            }
            while (!Workflow.TargetWorkerDeploymentVersionChanged)
            {
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(50));
            }
            throw Workflow.CreateContinueAsNewException((UpgradingV1 wf) => wf.RunAsync(true),
                new() { InitialVersioningBehavior = InitialVersioningBehavior.AutoUpgrade });
        }
    }

    [Workflow("Upgrading", VersioningBehavior = VersioningBehavior.Pinned)]
    public sealed class UpgradingV2
    {
        [WorkflowRun]
        public Task<string> RunAsync(bool continued) => Task.FromResult("v2");
    }

    private sealed record Rollout(string Deployment, string TaskQueue)
    {
        public WorkerDeploymentVersion V1 => new(Deployment, "1.0");

        public WorkerDeploymentVersion V2 => new(Deployment, "2.0");
    }

    private static Rollout NewRollout() => new($"rollout-{Guid.NewGuid():N}"[..20], ServerFixture.NewTaskQueue("rollout"));

    /// <summary>Runs <paramref name="test"/> while a v1 and a v2 worker poll the rollout's queue, once both are registered.</summary>
    private async Task WithBothVersionsAsync(Rollout rollout, Func<Task> test)
    {
        TemporalWorker Worker(WorkerDeploymentVersion version,
            Func<Temporalio.Worker.TemporalWorkerOptions, Temporalio.Worker.TemporalWorkerOptions> workflows) =>
            new(Client, workflows(new TemporalWorkerOptions(rollout.TaskQueue) { DeploymentOptions = new(version, true) }));
        using var v1 = Worker(rollout.V1, o => o.AddWorkflow<PinnedV1>().AddWorkflow<AutoV1>().AddWorkflow<UpgradingV1>());
        using var v2 = Worker(rollout.V2, o => o.AddWorkflow<PinnedV2>().AddWorkflow<AutoV2>().AddWorkflow<UpgradingV2>());
        async Task RegisteredThenTest()
        {
            await Wait.UntilAsync(() => DeploymentCalls.DescribeAsync(Client, rollout.Deployment).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null),
                d => d?.WorkerDeploymentInfo.VersionSummaries.Count == 2, "both versions registered by their workers' polls");
            await test();
        }
        var running = RegisteredThenTest();
        await Task.WhenAll(v1.ExecuteAsync(() => running), v2.ExecuteAsync(() => running));
    }

    private async Task SetCurrentAsync(Rollout rollout, WorkerDeploymentVersion version) =>
        await Client.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(new()
        {
            Namespace = "default",
            DeploymentName = rollout.Deployment,
            BuildId = version.BuildId,
            ConflictToken = await DeploymentCalls.TokenAsync(Client, rollout.Deployment),
            Identity = "rollout-test",
        });

    private async Task SetRampAsync(Rollout rollout, WorkerDeploymentVersion version, float percentage) =>
        await Client.WorkflowService.SetWorkerDeploymentRampingVersionAsync(new()
        {
            Namespace = "default",
            DeploymentName = rollout.Deployment,
            BuildId = version.BuildId,
            Percentage = percentage,
            ConflictToken = await DeploymentCalls.TokenAsync(Client, rollout.Deployment),
            Identity = "rollout-test",
        });

    private async Task<Temporalio.Api.Workflow.V1.WorkflowExecutionVersioningInfo> VersioningAsync(WorkflowHandle handle) =>
        (await Client.WorkflowService.DescribeWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            Execution = new() { WorkflowId = handle.Id, RunId = handle.ResultRunId ?? "" },
        })).WorkflowExecutionInfo.VersioningInfo;

    [Fact]
    public async Task NewCurrentVersion_AutoUpgradeRunsMove_PinnedRunsStay()
    {
        var rollout = NewRollout();
        await WithBothVersionsAsync(rollout, async () =>
        {
            await SetCurrentAsync(rollout, rollout.V1);
            var pinned = await Client.StartWorkflowAsync((PinnedV1 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("pinned"), rollout.TaskQueue));
            var auto = await Client.StartWorkflowAsync((AutoV1 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("auto"), rollout.TaskQueue));
            Assert.Equal("v1", await pinned.QueryAsync(wf => wf.Build()));
            Assert.Equal("v1", await auto.QueryAsync(wf => wf.Build()));

            await SetCurrentAsync(rollout, rollout.V2);
            // Started right after the Set answered: routed by the new current version already.
            var fresh = await Client.StartWorkflowAsync((PinnedV2 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("fresh"), rollout.TaskQueue));
            Assert.Equal("v2", await fresh.QueryAsync(wf => wf.Build()));

            await pinned.SignalAsync(wf => wf.FinishAsync());
            await auto.SignalAsync(wf => wf.FinishAsync());
            await fresh.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal("v1", await pinned.GetResultAsync().WithTimeout("the pinned run"));
            Assert.Equal("v2", await auto.GetResultAsync().WithTimeout("the auto-upgrade run"));
            Assert.Equal("v2", await fresh.GetResultAsync().WithTimeout("the run started on v2"));

            var pinnedInfo = await VersioningAsync(pinned);
            Assert.Equal((ApiBehavior.Pinned, "1.0"), (pinnedInfo.Behavior, pinnedInfo.DeploymentVersion.BuildId));
            var autoInfo = await VersioningAsync(auto);
            Assert.Equal((ApiBehavior.AutoUpgrade, "2.0"), (autoInfo.Behavior, autoInfo.DeploymentVersion.BuildId));
        });
    }

    [Fact]
    public async Task Ramp_SplitsNewWorkflowsByTheHashOfTheirId()
    {
        var rollout = NewRollout();
        await WithBothVersionsAsync(rollout, async () =>
        {
            await SetCurrentAsync(rollout, rollout.V1);
            await SetRampAsync(rollout, rollout.V2, 100);
            var all = await Client.StartWorkflowAsync((AutoV1 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("all"), rollout.TaskQueue));
            Assert.Equal("v2", await all.QueryAsync(wf => wf.Build()));

            await SetRampAsync(rollout, rollout.V2, 0);
            var none = await Client.StartWorkflowAsync((AutoV1 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("none"), rollout.TaskQueue));
            Assert.Equal("v1", await none.QueryAsync(wf => wf.Build()));

            await SetRampAsync(rollout, rollout.V2, 50);
            var builds = new List<(string Id, string Build)>();
            for (var i = 0; i < 12; i++)
            {
                var id = $"{rollout.Deployment}-half-{i}";
                var handle = await Client.StartWorkflowAsync((AutoV1 wf) => wf.RunAsync(), new(id, rollout.TaskQueue));
                builds.Add((id, await handle.QueryAsync(wf => wf.Build())));
                await handle.TerminateAsync();
            }
            // Temporal's rule: the ramping version takes an id whose FarmHash Fingerprint32 falls under the percentage.
            var expected = builds.Select(b => (b.Id,
                100.0 * Tempora.Core.FarmHash.Fingerprint32(b.Id) / 4294967296.0 < 50 ? "v2" : "v1")).ToList();
            Assert.Equal(expected, builds);
            foreach (var handle in new[] { all, none })
            {
                await handle.TerminateAsync();
            }
        });
    }

    [Fact]
    public async Task Override_PinsARunElsewhere_ThenUnpinningLetsItFollowTheCurrentVersion()
    {
        var rollout = NewRollout();
        await WithBothVersionsAsync(rollout, async () =>
        {
            await SetCurrentAsync(rollout, rollout.V1);
            var run = await Client.StartWorkflowAsync((AutoV1 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("override"), rollout.TaskQueue)
            {
                VersioningOverride = new VersioningOverride.Pinned(rollout.V2),
            });
            Assert.Equal("v2", await run.QueryAsync(wf => wf.Build()));
            var pinned = await VersioningAsync(run);
            Assert.Equal("2.0", pinned.VersioningOverride.Pinned.Version.BuildId);

            await Client.WorkflowService.UpdateWorkflowExecutionOptionsAsync(new()
            {
                Namespace = "default",
                WorkflowExecution = new() { WorkflowId = run.Id },
                WorkflowExecutionOptions = new() { VersioningOverride = new() { AutoUpgrade = true } },
                UpdateMask = new() { Paths = { "versioning_override" } },
            });
            await run.SignalAsync(wf => wf.FinishAsync());
            // Its next task goes to the current version's worker, which replays the run (the options event included).
            Assert.Equal("v1", await run.GetResultAsync().WithTimeout("the unpinned run on the current version"));
        });
    }

    [Fact]
    public async Task ContinueAsNew_OfAPinnedRun_StaysOnItsVersionAfterTheCurrentMoved()
    {
        var rollout = NewRollout();
        await WithBothVersionsAsync(rollout, async () =>
        {
            await SetCurrentAsync(rollout, rollout.V1);
            var first = await Client.StartWorkflowAsync((PinnedV1 wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("chain"), rollout.TaskQueue));
            Assert.Equal("v1", await first.QueryAsync(wf => wf.Build()));
            await SetCurrentAsync(rollout, rollout.V2);

            await first.SignalAsync(wf => wf.ContinueAsync());
            var latest = Client.GetWorkflowHandle<PinnedV1>(first.Id);
            await Wait.UntilAsync(async () => (await latest.DescribeAsync()).RunId, runId => runId != first.ResultRunId, "the run continued as new");
            Assert.Equal("v1", await latest.QueryAsync(wf => wf.Build()));
            var inherited = await VersioningAsync(latest);
            Assert.Equal((ApiBehavior.Pinned, "1.0"), (inherited.Behavior, inherited.DeploymentVersion.BuildId));
            await latest.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal("v1", await latest.GetResultAsync<string>().WithTimeout("the continuation, on v1"));
        });
    }

    /// <summary>
    /// Newer than 1.28, what current SDKs offer: a pinned run learns that its version is no longer the target
    /// (TargetWorkerDeploymentVersionChanged on its workflow task) and continues as new with AUTO_UPGRADE, so the new
    /// run starts on the new current version instead of inheriting the old one.
    /// </summary>
    [Fact]
    public async Task PinnedRun_SeesItsTargetMove_AndContinuesAsNewOntoTheNewVersion()
    {
        var rollout = NewRollout();
        await WithBothVersionsAsync(rollout, async () =>
        {
            await SetCurrentAsync(rollout, rollout.V1);
            var run = await Client.StartWorkflowAsync((UpgradingV1 wf) => wf.RunAsync(false), new(ServerFixture.NewWorkflowId("upgrading"), rollout.TaskQueue));
            await Wait.UntilAsync(async () => (await VersioningAsync(run))?.DeploymentVersion?.BuildId, build => build == "1.0", "the run on v1");
            await SetCurrentAsync(rollout, rollout.V2);

            var latest = Client.GetWorkflowHandle(run.Id);
            Assert.Equal("v2", await latest.GetResultAsync<string>().WithTimeout("the continuation, on v2"));
        });
    }
}
