using Temporalio.Client;

namespace Tempora.EndToEnd.Tests;

/// <summary>A start's static summary and details (user metadata) come back from DescribeWorkflowExecution.</summary>
[Collection(ServerCollection.Name)]
public sealed class UserMetadataTests(ServerFixture fixture)
{
    [Fact]
    public async Task StaticSummaryAndDetails_SetAtStart_AreDescribed()
    {
        var handle = await fixture.Client.StartWorkflowAsync((WaitForeverWorkflow wf) => wf.RunAsync(),
            new(ServerFixture.NewWorkflowId("metadata"), ServerFixture.NewTaskQueue())
            {
                StaticSummary = "Order 42 for c-42",
                StaticDetails = "Ships **tomorrow**",
            });

        var description = await handle.DescribeAsync();

        Assert.Equal("Order 42 for c-42", await description.GetStaticSummaryAsync());
        Assert.Equal("Ships **tomorrow**", await description.GetStaticDetailsAsync());
        await handle.TerminateAsync("test done");
    }
}
