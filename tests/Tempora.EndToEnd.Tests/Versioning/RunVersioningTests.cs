using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;
using PinnedBehavior = Temporalio.Api.Workflow.V1.VersioningOverride.Types.PinnedOverrideBehavior;

namespace Tempora.EndToEnd.Tests.Versioning;

/// <summary>
/// What a run records of worker versioning, with the official .NET SDK: a VERSIONED worker's completions record its
/// version and the workflow's behavior (history, describe's versioning_info, the search attributes drainage counts),
/// a start's pinned override, and UpdateWorkflowExecutionOptions setting and unsetting one. Routing by deployment
/// (current and ramping versions) is not exercised here.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RunVersioningTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => Client.Connection.WorkflowService;

    [Workflow("RunVersioningPinned", VersioningBehavior = Temporalio.Common.VersioningBehavior.Pinned)]
    public sealed class PinnedWorkflow
    {
        private bool _finish;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish);
            return Workflow.CurrentDeploymentVersion?.BuildId ?? "none";
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task VersionedWorker_PinnedWorkflow_RecordsBehaviorAndVersion_CountedAsPinned()
    {
        var deployment = ServerFixture.NewWorkflowId("dep");
        var version = new WorkerDeploymentVersion(deployment, "1.0");
        var taskQueue = ServerFixture.NewTaskQueue("run-versioning");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue)
        {
            DeploymentOptions = new WorkerDeploymentOptions(version, useWorkerVersioning: true),
        }.AddWorkflow<PinnedWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            await MakeCurrentAsync(version);
            var handle = await Client.StartWorkflowAsync((PinnedWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("pinned"), taskQueue));
            var described = await Wait.UntilAsync(() => DescribeAsync(handle.Id),
                d => d.WorkflowExecutionInfo.VersioningInfo?.DeploymentVersion is not null, "the first completion's version");
            var info = described.WorkflowExecutionInfo;
            Assert.Equal(Temporalio.Api.Enums.V1.VersioningBehavior.Pinned, info.VersioningInfo.Behavior);
            Assert.Equal((deployment, "1.0"), (info.VersioningInfo.DeploymentVersion.DeploymentName, info.VersioningInfo.DeploymentVersion.BuildId));
#pragma warning disable CS0612, CS0618
            Assert.Equal($"{deployment}.1.0", info.VersioningInfo.Version);
#pragma warning restore CS0612, CS0618
            Assert.Equal(deployment, info.WorkerDeploymentName);
            var pinnedRunning = $"BuildIds = 'pinned:{deployment}:1.0' AND ExecutionStatus = 'Running'";
            Assert.Equal(1, (await Client.CountWorkflowsAsync(pinnedRunning)).Count);
            Assert.Equal(1, (await Client.CountWorkflowsAsync(
                $"TemporalWorkerDeployment = '{deployment}' AND TemporalWorkerDeploymentVersion = '{deployment}:1.0' AND TemporalWorkflowVersioningBehavior = 'Pinned'")).Count);

            await handle.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal("1.0", await handle.GetResultAsync().WithTimeout("the pinned workflow to finish"));
            var completions = (await handle.FetchHistoryAsync()).Events.Where(e => e.WorkflowTaskCompletedEventAttributes is not null)
                .Select(e => e.WorkflowTaskCompletedEventAttributes).ToList();
            Assert.NotEmpty(completions);
            Assert.All(completions, c =>
            {
                Assert.Equal(Temporalio.Api.Enums.V1.VersioningBehavior.Pinned, c.VersioningBehavior);
                Assert.Equal((deployment, "1.0"), (c.WorkerDeploymentName, c.DeploymentVersion.BuildId));
            });
            Assert.Equal(0, (await Client.CountWorkflowsAsync(pinnedRunning)).Count);
        });
    }

    [Workflow("RunVersioningParent")]
    public sealed class ParentWorkflow
    {
        [WorkflowRun]
        public async Task<string> RunAsync(bool continued)
        {
            if (!continued)
            {
                throw Workflow.CreateContinueAsNewException((ParentWorkflow wf) => wf.RunAsync(true));
            }
            return await Workflow.ExecuteChildWorkflowAsync((ChildWorkflow wf) => wf.RunAsync(),
                new() { Id = Workflow.Info.WorkflowId + "-child" });
        }
    }

    [Workflow("RunVersioningChild")]
    public sealed class ChildWorkflow
    {
        [WorkflowRun]
        public Task<string> RunAsync() => Task.FromResult(Workflow.CurrentDeploymentVersion?.BuildId ?? "none");
    }

    [Fact]
    public async Task PinnedRun_ContinueAsNewAndChild_InheritItsVersion()
    {
        var deployment = ServerFixture.NewWorkflowId("dep");
        var taskQueue = ServerFixture.NewTaskQueue("run-versioning-inherit");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue)
        {
            DeploymentOptions = new WorkerDeploymentOptions(new WorkerDeploymentVersion(deployment, "1.0"), useWorkerVersioning: true)
            {
                DefaultVersioningBehavior = Temporalio.Common.VersioningBehavior.Pinned,
            },
        }.AddWorkflow<ParentWorkflow>().AddWorkflow<ChildWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            await MakeCurrentAsync(new WorkerDeploymentVersion(deployment, "1.0"));
            var id = ServerFixture.NewWorkflowId("inherit");
            var result = await Client.ExecuteWorkflowAsync((ParentWorkflow wf) => wf.RunAsync(false), new(id, taskQueue))
                .WithTimeout("the parent, its continuation and its child");
            Assert.Equal("1.0", result);
            var continued = (await Client.GetWorkflowHandle(id).FetchHistoryAsync()).Events.First().WorkflowExecutionStartedEventAttributes;
            Assert.Equal((deployment, "1.0"), (continued.InheritedPinnedVersion.DeploymentName, continued.InheritedPinnedVersion.BuildId));
            var child = (await Client.GetWorkflowHandle(id + "-child").FetchHistoryAsync()).Events.First().WorkflowExecutionStartedEventAttributes;
            Assert.Equal((deployment, "1.0"), (child.InheritedPinnedVersion.DeploymentName, child.InheritedPinnedVersion.BuildId));
        });
    }

    [Fact]
    public async Task StartWithPinnedOverride_StartEventAndDescribeCarryIt()
    {
        var deployment = ServerFixture.NewWorkflowId("dep");
        var handle = await Client.StartWorkflowAsync((PinnedWorkflow wf) => wf.RunAsync(),
            new(ServerFixture.NewWorkflowId("override"), ServerFixture.NewTaskQueue("no-worker"))
            {
                VersioningOverride = new VersioningOverride.Pinned(new WorkerDeploymentVersion(deployment, "2.0")),
            });
        var started = (await handle.FetchHistoryAsync()).Events.First().WorkflowExecutionStartedEventAttributes;
        Assert.Equal(Temporalio.Api.Workflow.V1.VersioningOverride.OverrideOneofCase.Pinned, started.VersioningOverride.OverrideCase);
        Assert.Equal("2.0", started.VersioningOverride.Pinned.Version.BuildId);

        var info = (await DescribeAsync(handle.Id)).WorkflowExecutionInfo;
        Assert.Equal(PinnedBehavior.Pinned, info.VersioningInfo.VersioningOverride.Pinned.Behavior);
        Assert.Equal((deployment, "2.0"), (info.VersioningInfo.VersioningOverride.Pinned.Version.DeploymentName, info.VersioningInfo.VersioningOverride.Pinned.Version.BuildId));
        Assert.Equal(deployment, info.WorkerDeploymentName);
        Assert.Equal(1, (await Client.CountWorkflowsAsync($"BuildIds = 'pinned:{deployment}:2.0' AND ExecutionStatus = 'Running'")).Count);
        await handle.TerminateAsync("done");
    }

    [Fact]
    public async Task UpdateWorkflowExecutionOptions_SetsAndUnsetsTheOverride()
    {
        var deployment = ServerFixture.NewWorkflowId("dep");
        var handle = await Client.StartWorkflowAsync((PinnedWorkflow wf) => wf.RunAsync(),
            new(ServerFixture.NewWorkflowId("options"), ServerFixture.NewTaskQueue("no-worker")));
        var execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = handle.Id };
        var pinned = new Temporalio.Api.Workflow.V1.VersioningOverride
        {
            Pinned = new() { Behavior = PinnedBehavior.Pinned, Version = new() { DeploymentName = deployment, BuildId = "3.0" } },
        };

        var set = await Raw.UpdateWorkflowExecutionOptionsAsync(new()
        {
            Namespace = Client.Options.Namespace,
            WorkflowExecution = execution,
            WorkflowExecutionOptions = new() { VersioningOverride = pinned },
            UpdateMask = new FieldMask { Paths = { "versioning_override" } },
        });
        Assert.Equal(pinned, set.WorkflowExecutionOptions.VersioningOverride);
        Assert.Equal(pinned, (await DescribeAsync(handle.Id)).WorkflowExecutionInfo.VersioningInfo.VersioningOverride);

        var refused = await Assert.ThrowsAsync<Temporalio.Exceptions.RpcException>(() => Raw.UpdateWorkflowExecutionOptionsAsync(new()
        {
            Namespace = Client.Options.Namespace,
            WorkflowExecution = execution,
            WorkflowExecutionOptions = new() { VersioningOverride = new() { Pinned = new() { Behavior = PinnedBehavior.Pinned } } },
            UpdateMask = new FieldMask { Paths = { "versioning_override" } },
        }));
        Assert.Equal((Temporalio.Exceptions.RpcException.StatusCode.InvalidArgument, "must provide version if override is pinned."), (refused.Code, refused.Message));

        var unset = await Raw.UpdateWorkflowExecutionOptionsAsync(new()
        {
            Namespace = Client.Options.Namespace,
            WorkflowExecution = execution,
            WorkflowExecutionOptions = new(),
            UpdateMask = new FieldMask { Paths = { "versioning_override" } },
        });
        Assert.Null(unset.WorkflowExecutionOptions.VersioningOverride);
        Assert.Null((await DescribeAsync(handle.Id)).WorkflowExecutionInfo.VersioningInfo.VersioningOverride);

        var updates = (await handle.FetchHistoryAsync()).Events.Where(e => e.EventType == EventType.WorkflowExecutionOptionsUpdated)
            .Select(e => e.WorkflowExecutionOptionsUpdatedEventAttributes).ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal(pinned, updates[0].VersioningOverride);
        Assert.True(updates[1].UnsetVersioningOverride);
        await handle.TerminateAsync("done");
    }

    [Workflow("RunVersioningWaiting")]
    public sealed class WaitingWorkflow
    {
        [WorkflowRun]
        public Task RunAsync() => Workflow.WaitConditionAsync(() => false);
    }

    [Fact]
    public async Task ResetPostResetOptions_AndBatchUpdateOptions_ChangeTheOverride()
    {
        var taskQueue = ServerFixture.NewTaskQueue("run-versioning-reset");
        var id = ServerFixture.NewWorkflowId("reset-options");
        var pinned = new Temporalio.Api.Workflow.V1.VersioningOverride
        {
            Pinned = new() { Behavior = PinnedBehavior.Pinned, Version = new() { DeploymentName = ServerFixture.NewWorkflowId("dep"), BuildId = "4.0" } },
        };
        WorkflowHandle handle;
        using (var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitingWorkflow>()))
        {
            handle = await worker.ExecuteAsync(async () =>
            {
                var h = await Client.StartWorkflowAsync((WaitingWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
                await Wait.ForHistoryEventAsync(h, EventType.WorkflowTaskCompleted);
                return h;
            });
        }
        var completed = (await handle.FetchHistoryAsync()).Events.First(e => e.EventType == EventType.WorkflowTaskCompleted);
        var reset = await Raw.ResetWorkflowExecutionAsync(new()
        {
            Namespace = Client.Options.Namespace,
            WorkflowExecution = new() { WorkflowId = id },
            Reason = "pin the new run",
            RequestId = Guid.NewGuid().ToString(),
            WorkflowTaskFinishEventId = completed.EventId,
            PostResetOperations =
            {
                new Temporalio.Api.Workflow.V1.PostResetOperation
                {
                    UpdateWorkflowOptions = new()
                    {
                        WorkflowExecutionOptions = new() { VersioningOverride = pinned },
                        UpdateMask = new FieldMask { Paths = { "versioning_override" } },
                    },
                },
            },
        });
        var info = (await DescribeAsync(id)).WorkflowExecutionInfo;
        Assert.Equal(reset.RunId, info.Execution.RunId);
        Assert.Equal(pinned, info.VersioningInfo.VersioningOverride);

#pragma warning disable CS0612 // executions: the list form 1.28 serves
        await Raw.StartBatchOperationAsync(new()
        {
            Namespace = Client.Options.Namespace,
            JobId = Guid.NewGuid().ToString(),
            Reason = "unpin",
            Executions = { new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = id } },
            UpdateWorkflowOptionsOperation = new()
            {
                Identity = "batch",
                WorkflowExecutionOptions = new(),
                UpdateMask = new FieldMask { Paths = { "versioning_override" } },
            },
        });
#pragma warning restore CS0612
        await Wait.UntilAsync(() => DescribeAsync(id), d => d.WorkflowExecutionInfo.VersioningInfo?.VersioningOverride is null,
            "the batch to unset the override");
        await Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task ScheduleStartAction_Override_ReachesTheRunItStarts()
    {
        var scheduleId = ServerFixture.NewWorkflowId("sched-override");
        var workflowId = ServerFixture.NewWorkflowId("sched-override-wf");
        var pinned = new Temporalio.Api.Workflow.V1.VersioningOverride
        {
            Pinned = new() { Behavior = PinnedBehavior.Pinned, Version = new() { DeploymentName = ServerFixture.NewWorkflowId("dep"), BuildId = "5.0" } },
        };
        await Raw.CreateScheduleAsync(new()
        {
            Namespace = Client.Options.Namespace,
            ScheduleId = scheduleId,
            RequestId = Guid.NewGuid().ToString(),
            Schedule = new()
            {
                Spec = new(),
                State = new() { Paused = true },
                Action = new()
                {
                    StartWorkflow = new()
                    {
                        WorkflowId = workflowId,
                        WorkflowType = new() { Name = "RunVersioningWaiting" },
                        TaskQueue = new() { Name = ServerFixture.NewTaskQueue("no-worker") },
                        VersioningOverride = pinned,
                    },
                },
            },
        });
        await Raw.PatchScheduleAsync(new()
        {
            Namespace = Client.Options.Namespace,
            ScheduleId = scheduleId,
            RequestId = Guid.NewGuid().ToString(),
            Patch = new() { TriggerImmediately = new() },
        });
        var run = await Wait.UntilAsync(() => Client.ListWorkflowsAsync($"WorkflowType = 'RunVersioningWaiting' AND TemporalScheduledById = '{scheduleId}'")
            .ToListAsync().AsTask(), runs => runs.Count == 1, "the scheduled run");
        var info = (await DescribeAsync(run[0].Id)).WorkflowExecutionInfo;
        Assert.Equal(pinned, info.VersioningInfo.VersioningOverride);
        await Client.GetWorkflowHandle(run[0].Id).TerminateAsync("done");
        await Client.GetScheduleHandle(scheduleId).DeleteAsync();
    }

    /// <summary>As the SDK's own tests do: waits until the worker's polls registered its version, then makes it current,
    /// so that the queue's new workflows go to it.</summary>
    private async Task MakeCurrentAsync(WorkerDeploymentVersion version)
    {
        var described = await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    return await Raw.DescribeWorkerDeploymentAsync(new() { Namespace = Client.Options.Namespace, DeploymentName = version.DeploymentName });
                }
                catch (Temporalio.Exceptions.RpcException e) when (e.Code == Temporalio.Exceptions.RpcException.StatusCode.NotFound)
                {
                    return null;
                }
            },
            d => d?.WorkerDeploymentInfo.VersionSummaries.Any(v => v.DeploymentVersion?.BuildId == version.BuildId) == true,
            "the worker's version to be registered");
        await Raw.SetWorkerDeploymentCurrentVersionAsync(new()
        {
            Namespace = Client.Options.Namespace,
            DeploymentName = version.DeploymentName,
            BuildId = version.BuildId,
            ConflictToken = described!.ConflictToken,
            Identity = "run-versioning-test",
        });
    }

    private Task<DescribeWorkflowExecutionResponse> DescribeAsync(string workflowId) => Raw.DescribeWorkflowExecutionAsync(new()
    {
        Namespace = Client.Options.Namespace,
        Execution = new() { WorkflowId = workflowId },
    });
}
