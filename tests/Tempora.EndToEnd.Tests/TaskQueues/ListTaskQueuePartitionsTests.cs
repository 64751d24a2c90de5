using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests.TaskQueues;

/// <summary>ListTaskQueuePartitions: one partition per task type, the root, owned by the process that answers.</summary>
[Collection(ServerCollection.Name)]
public sealed class ListTaskQueuePartitionsTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.WorkflowService;

    [Fact]
    public async Task List_AnyQueue_OneRootPartitionPerTaskType()
    {
        var taskQueue = ServerFixture.NewTaskQueue("partitions");

        var listed = await Raw.ListTaskQueuePartitionsAsync(new() { Namespace = "default", TaskQueue = new() { Name = taskQueue } });

        var workflow = Assert.Single(listed.WorkflowTaskQueuePartitions);
        var activity = Assert.Single(listed.ActivityTaskQueuePartitions);
        Assert.Equal(taskQueue, workflow.Key);
        Assert.Equal(taskQueue, activity.Key);
        // host:port of the gRPC endpoint, as Temporal gives its matching host's address.
        Assert.Matches(@"^.+:\d+$", workflow.OwnerHostName);
        Assert.Equal(workflow.OwnerHostName, activity.OwnerHostName);
    }

    [Theory]
    [InlineData(null, "default", RpcException.StatusCode.InvalidArgument, "taskQueue is not set")]
    [InlineData("", "default", RpcException.StatusCode.InvalidArgument, "missing task queue name")]
    [InlineData("/_sys/q/1", "default", RpcException.StatusCode.InvalidArgument, "task queue name cannot start with reserved prefix /_sys/")]
    [InlineData("q", "no-such-namespace", RpcException.StatusCode.NotFound, "no-such-namespace")]
    public async Task List_BadRequest_IsRefusedInTemporalsWords(string? name, string ns, RpcException.StatusCode code, string message)
    {
        var request = new Temporalio.Api.WorkflowService.V1.ListTaskQueuePartitionsRequest { Namespace = ns };
        if (name is not null)
        {
            request.TaskQueue = new() { Name = name };
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => Raw.ListTaskQueuePartitionsAsync(request));
        Assert.Equal(code, refused.Code);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }
}
