using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Every completed workflow task records the worker's build id in the BuildIds search attribute, as Temporal 1.28's
/// mutable_state_impl.go addBuildIdToLoadedSearchAttribute does for an unversioned worker: "unversioned", then
/// "unversioned:&lt;build id&gt;".
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BuildIdsSearchAttributeTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task WorkflowTaskCompleted_UnversionedWorkerWithBuildId_BuildIdsListsUnversionedAndBuildId()
    {
        var taskQueue = ServerFixture.NewTaskQueue("build-ids");
        var workflowId = ServerFixture.NewWorkflowId("build-ids");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue)
        {
            DeploymentOptions = new WorkerDeploymentOptions(new Temporalio.Common.WorkerDeploymentVersion("e2e", "1.0"), useWorkerVersioning: false),
        }
            .AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        await worker.ExecuteAsync(() =>
            Client.ExecuteWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("build ids"), new(workflowId, taskQueue)).WithTimeout("workflow to complete"));

        Assert.Equal(1, (await Client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND BuildIds = 'unversioned:1.0'")).Count);
        Assert.Equal(1, (await Client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND BuildIds = 'unversioned'")).Count);
        Assert.Equal(0, (await Client.CountWorkflowsAsync($"WorkflowId = '{workflowId}' AND BuildIds = 'unversioned:2.0'")).Count);
        var described = await Client.GetWorkflowHandle(workflowId).DescribeAsync();
        var buildIds = described.TypedSearchAttributes.Get(Temporalio.Common.SearchAttributeKey.CreateKeywordList("BuildIds"));
        Assert.Equal(["unversioned", "unversioned:1.0"], buildIds);
    }

    [Workflow]
    public sealed class BuildIdWorkflow
    {
        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
            return Workflow.CurrentBuildId ?? "";
        }
    }

    /// <summary>
    /// The legacy build-id stamp, recorded as Temporal 1.28 records it: GetSystemInfo says build_id_based_versioning,
    /// so the SDK stamps its polls (worker_version_capabilities) and completions (worker_version_stamp) with its build
    /// id instead of sending it as a binary checksum; each WorkflowTaskStarted records the poller's stamp and each
    /// WorkflowTaskCompleted the completion's, which the SDK reads back on replay (Workflow.CurrentBuildId).
    /// </summary>
    [Fact]
    public async Task LegacyBuildId_IsStampedOnTaskStartedAndCompleted_AsSent()
    {
        Assert.True((await Client.WorkflowService.GetSystemInfoAsync(new())).Capabilities.BuildIdBasedVersioning);
        var taskQueue = ServerFixture.NewTaskQueue("stamp");
#pragma warning disable CS0618 // the legacy BuildId option, what workers without deployment options set
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue) { BuildId = "legacy-7" }.AddWorkflow<BuildIdWorkflow>());
#pragma warning restore CS0618
        var handle = await Client.StartWorkflowAsync((BuildIdWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("stamp"), taskQueue));
        Assert.Equal("legacy-7", await worker.ExecuteAsync(() => handle.GetResultAsync().WithTimeout("the workflow")));

        var events = (await handle.FetchHistoryAsync()).Events;
        var started = events.Where(e => e.WorkflowTaskStartedEventAttributes is not null).Select(e => e.WorkflowTaskStartedEventAttributes).ToList();
        var completed = events.Where(e => e.WorkflowTaskCompletedEventAttributes is not null).Select(e => e.WorkflowTaskCompletedEventAttributes).ToList();
        Assert.Equal(2, started.Count);
#pragma warning disable CS0612 // the stamps are deprecated in the API, still what 1.28 records and the SDK reads
        Assert.All(started, a => Assert.Equal(("legacy-7", false), (a.WorkerVersion.BuildId, a.WorkerVersion.UseVersioning)));
        Assert.All(completed, a => Assert.Equal(("legacy-7", ""), (a.WorkerVersion.BuildId, a.BinaryChecksum)));
#pragma warning restore CS0612
        Assert.Equal(1, (await Client.CountWorkflowsAsync($"WorkflowId = '{handle.Id}' AND BuildIds = 'unversioned:legacy-7'")).Count);
    }
}
