using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Request fields Tempora honours as Temporal does (docs/compatibility.md, "Request fields"): links on the events the
/// request causes, a start's continued failure and last completion result, and cancel/terminate across runs.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RequestFieldTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    private static Link BatchLink(string job) => new() { BatchJob = new Link.Types.BatchJob { JobId = job } };

    private StartWorkflowExecutionRequest Start(string id) => new()
    {
        Namespace = "default",
        WorkflowId = id,
        WorkflowType = new WorkflowType { Name = "NobodyRunsThis" },
        TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = ServerFixture.NewTaskQueue("fields") },
        RequestId = Guid.NewGuid().ToString(),
    };

    [Fact]
    public async Task Links_OnStartSignalCancelAndTerminate_AreRecordedOnTheirEvents()
    {
        var id = ServerFixture.NewWorkflowId("links");
        var start = Start(id);
        start.Links.Add(BatchLink("start"));
        await Raw.StartWorkflowExecutionAsync(start);
        var execution = new WorkflowExecution { WorkflowId = id };
        await Raw.SignalWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = execution, SignalName = "s", Links = { BatchLink("signal") } });
        await Raw.RequestCancelWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = execution, Links = { BatchLink("cancel") } });
        await Raw.TerminateWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = execution, Links = { BatchLink("terminate") } });

        var events = await fixture.Client.GetWorkflowHandle(id).EventsAsync();
        string Job(EventType type) => Assert.Single(events.Single(e => e.EventType == type).Links).BatchJob.JobId;
        Assert.Equal("start", Job(EventType.WorkflowExecutionStarted));
        Assert.Equal("signal", Job(EventType.WorkflowExecutionSignaled));
        Assert.Equal("cancel", Job(EventType.WorkflowExecutionCancelRequested));
        Assert.Equal("terminate", Job(EventType.WorkflowExecutionTerminated));
    }

    [Fact]
    public async Task Links_MoreThanTenOrOfAnUnsupportedKind_AreRefused()
    {
        var tooMany = Start(ServerFixture.NewWorkflowId("links"));
        tooMany.Links.AddRange(Enumerable.Range(0, 11).Select(i => BatchLink($"job-{i}")));
        var many = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(tooMany));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, many.Code);
        Assert.Contains("more than 10 links", many.Message, StringComparison.Ordinal);

        var unsupported = Start(ServerFixture.NewWorkflowId("links"));
        unsupported.Links.Add(new Link { Activity = new Link.Types.Activity { Namespace = "default", ActivityId = "a" } });
        var kind = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(unsupported));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, kind.Code);
    }

    [Fact]
    public async Task Start_ContinuedFailureAndLastCompletionResult_AreOnTheStartedEvent()
    {
        var id = ServerFixture.NewWorkflowId("continued");
        var start = Start(id);
        start.ContinuedFailure = new Failure { Message = "previous run failed" };
        start.LastCompletionResult = new Payloads { Payloads_ = { new Payload { Data = ByteString.CopyFromUtf8("\"last\"") } } };
        await Raw.StartWorkflowExecutionAsync(start);

        var started = (await fixture.Client.GetWorkflowHandle(id).EventsAsync())[0].WorkflowExecutionStartedEventAttributes;
        Assert.Equal("previous run failed", started.ContinuedFailure.Message);
        Assert.Equal("\"last\"", started.LastCompletionResult.Payloads_[0].Data.ToStringUtf8());
        await fixture.Client.GetWorkflowHandle(id).TerminateAsync("done");
    }

    [Fact]
    public async Task Terminate_WithFirstExecutionRunId_AddressesTheCurrentRunOfThatChain()
    {
        var id = ServerFixture.NewWorkflowId("first-run");
        var first = await Raw.StartWorkflowExecutionAsync(Start(id));
        await Raw.TerminateWorkflowExecutionAsync(new() { Namespace = "default", WorkflowExecution = new() { WorkflowId = id, RunId = first.RunId } });
        var second = await Raw.StartWorkflowExecutionAsync(Start(id));

        // The stale run id is ignored: the chain of the given first run is the one addressed, and it is closed.
        var otherChain = await Assert.ThrowsAsync<RpcException>(() => Raw.TerminateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = id, RunId = second.RunId },
            FirstExecutionRunId = first.RunId,
        }));
        Assert.Equal(RpcException.StatusCode.NotFound, otherChain.Code);

        await Raw.TerminateWorkflowExecutionAsync(new()
        {
            Namespace = "default",
            WorkflowExecution = new() { WorkflowId = id, RunId = first.RunId },
            FirstExecutionRunId = second.RunId,
        });
        Assert.Equal(WorkflowExecutionStatus.Terminated, (await fixture.Client.GetWorkflowHandle(id, second.RunId).DescribeAsync()).Status);
    }
}
