using Temporalio.Client;
using Temporalio.Worker;

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
}
