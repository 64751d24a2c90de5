using System.Diagnostics;
using Google.Protobuf;
using Tempora.Core;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Nexus.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

// RespondNexusTaskFailedRequest.error and the poll's worker_version_capabilities are deprecated in the API, still
// what Temporal 1.28 reads.
#pragma warning disable CS0612

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The handler side of Nexus on the wire, with a raw WorkflowService client: PollNexusTaskQueue's validation, its empty
/// long poll and the poller DescribeTaskQueue shows, and RespondNexusTaskCompleted/Failed's refusals in Temporal 1.28's
/// words. A task actually handed out needs a caller's history to dispatch it: that round trip is tested with history.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class NexusTaskQueueTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    private static readonly RpcOptions Short = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>A well-formed Nexus task token naming a dispatch nobody waits for.</summary>
    private static ByteString UnknownTaskToken() => ByteString.CopyFrom(new TaskToken(Guid.NewGuid().ToString(), "caller-" + Guid.NewGuid(),
        Guid.NewGuid().ToString(), 5, 0, 0, 0, "", QueryId: Guid.NewGuid().ToString()).Serialize());

    private static Response SyncResponse() => new()
    {
        StartOperation = new StartOperationResponse { SyncSuccess = new StartOperationResponse.Types.Sync() },
    };

    private static async Task<RpcException> RefusedAsync(Task call, RpcException.StatusCode code, string message)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(code, refused.Code);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        return refused;
    }

    [Fact]
    public async Task Poll_NoTask_AnswersEmptyBeforeTheDeadline_AndTheQueueShowsThePoller()
    {
        var queue = ServerFixture.NewTaskQueue("nexus");
        var identity = "nexus-worker-" + Guid.NewGuid().ToString("N")[..8];
        var request = new PollNexusTaskQueueRequest { Namespace = "default", TaskQueue = new() { Name = queue }, Identity = identity };

        var watch = Stopwatch.StartNew();
        PollNexusTaskQueueResponse response;
        try
        {
            response = await Raw.PollNexusTaskQueueAsync(request, new RpcOptions { Timeout = TimeSpan.FromSeconds(4) });
        }
        catch (RpcException e) when (e.Code is RpcException.StatusCode.DeadlineExceeded or RpcException.StatusCode.Cancelled)
        {
            // a stalled test host ate the second the server keeps; once more (see PollingTests.EmptyPollAsync)
            watch.Restart();
            response = await Raw.PollNexusTaskQueueAsync(request, new RpcOptions { Timeout = TimeSpan.FromSeconds(4) });
        }
        Assert.True(response.TaskToken.IsEmpty, "an empty poll is a successful response without a task");
        Assert.Null(response.Request);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"the poll should be held until shortly before its deadline, returned after {watch.Elapsed}");

        var legacy = await Raw.DescribeTaskQueueAsync(new DescribeTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = new() { Name = queue },
            TaskQueueType = TaskQueueType.Nexus,
        });
        Assert.Contains(legacy.Pollers, p => p.Identity == identity);
        var workflowType = await Raw.DescribeTaskQueueAsync(new DescribeTaskQueueRequest { Namespace = "default", TaskQueue = new() { Name = queue } });
        Assert.DoesNotContain(workflowType.Pollers, p => p.Identity == identity);
        var enhanced = await Raw.DescribeTaskQueueAsync(new DescribeTaskQueueRequest
        {
            Namespace = "default",
            TaskQueue = new() { Name = queue },
            ApiMode = DescribeTaskQueueMode.Enhanced,
            TaskQueueTypes = { TaskQueueType.Nexus },
            ReportPollers = true,
        });
        Assert.Contains(enhanced.VersionsInfo[""].TypesInfo[(int)TaskQueueType.Nexus].Pollers, p => p.Identity == identity);
    }

    [Fact]
    public async Task Poll_InvalidRequests_AreRefusedInTemporalsWords()
    {
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new() { Namespace = "default" }, Short),
            RpcException.StatusCode.InvalidArgument, "taskQueue is not set");
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() }, Short),
            RpcException.StatusCode.InvalidArgument, "missing task queue name");
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = "/_sys/q/1" } }, Short),
            RpcException.StatusCode.InvalidArgument, "task queue name cannot start with reserved prefix /_sys/");
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = new string('q', 1001) } }, Short),
            RpcException.StatusCode.InvalidArgument, "taskQueue length exceeds limit");
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new() { Namespace = "default", TaskQueue = new() { Name = "q" }, Identity = new string('i', 1001) }, Short),
            RpcException.StatusCode.InvalidArgument, "Identity length exceeds limit.");
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new() { Namespace = "no-such-namespace-" + Guid.NewGuid(), TaskQueue = new() { Name = "q" } }, Short),
            RpcException.StatusCode.NotFound, "is not found");
        await RefusedAsync(Raw.PollNexusTaskQueueAsync(new()
        {
            Namespace = "default",
            TaskQueue = new() { Name = "q" },
            WorkerVersionCapabilities = new() { BuildId = "1", UseVersioning = true },
        }, Short), RpcException.StatusCode.Unimplemented, "worker_version_capabilities.use_versioning");
    }

    [Fact]
    public async Task Respond_Tokens_EmptyMalformedOtherKindAndUnknown()
    {
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new() { Namespace = "default", Response = SyncResponse() }, Short),
            RpcException.StatusCode.InvalidArgument, "Invalid TaskToken.");
        await RefusedAsync(Raw.RespondNexusTaskFailedAsync(new() { Namespace = "default", Error = new() { ErrorType = "INTERNAL" } }, Short),
            RpcException.StatusCode.InvalidArgument, "Invalid TaskToken.");
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new()
        {
            Namespace = "default",
            TaskToken = ByteString.CopyFromUtf8("not a task token at all"),
            Response = SyncResponse(),
        }, Short), RpcException.StatusCode.InvalidArgument, "Error deserializing task token");
        // A workflow task's token names no Nexus task.
        var workflowToken = new TaskToken(Guid.NewGuid().ToString(), "wf", Guid.NewGuid().ToString(), 2, 1, 3, 0, "");
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new()
        {
            Namespace = "default",
            TaskToken = ByteString.CopyFrom(workflowToken.Serialize()),
            Response = SyncResponse(),
        }, Short), RpcException.StatusCode.InvalidArgument, "Invalid TaskToken.");
        // Well formed, but no dispatch waits for it (expired, answered, or lost with its process): routed to the
        // owner of the caller's shard, which does not know it.
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new() { Namespace = "default", TaskToken = UnknownTaskToken(), Response = SyncResponse() }, Short),
            RpcException.StatusCode.NotFound, "Nexus task not found or already expired");
        await RefusedAsync(Raw.RespondNexusTaskFailedAsync(new()
        {
            Namespace = "default",
            TaskToken = UnknownTaskToken(),
            Error = new() { ErrorType = "INTERNAL", Failure = new() { Message = "boom" } },
        }, Short), RpcException.StatusCode.NotFound, "Nexus task not found or already expired");
    }

    [Fact]
    public async Task Respond_Bodies_MissingOrNotHonoured_AreRefused()
    {
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new() { Namespace = "default", TaskToken = UnknownTaskToken() }, Short),
            RpcException.StatusCode.InvalidArgument, "request must contain response");
        await RefusedAsync(Raw.RespondNexusTaskFailedAsync(new() { Namespace = "default", TaskToken = UnknownTaskToken() }, Short),
            RpcException.StatusCode.InvalidArgument, "request must contain error or failure");
        await RefusedAsync(Raw.RespondNexusTaskFailedAsync(new()
        {
            Namespace = "default",
            TaskToken = UnknownTaskToken(),
            Failure = new() { Message = "a Temporal failure without its handler error type" },
        }, Short), RpcException.StatusCode.InvalidArgument, "request Failure must contain error or failure with NexusHandlerFailureInfo");
        await RefusedAsync(Raw.RespondNexusTaskFailedAsync(new()
        {
            Namespace = "default",
            TaskToken = UnknownTaskToken(),
            Failure = new() { Message = "the Temporal form", NexusHandlerFailureInfo = new() { Type = "INTERNAL" } },
        }, Short), RpcException.StatusCode.NotFound, "Nexus task not found or already expired");
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new()
        {
            Namespace = "default",
            TaskToken = UnknownTaskToken(),
            Response = new() { StartOperation = new() { AsyncSuccess = new() } },
        }, Short), RpcException.StatusCode.InvalidArgument, "missing opration token in response");
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new()
        {
            Namespace = "default",
            TaskToken = UnknownTaskToken(),
            Response = new() { StartOperation = new() { AsyncSuccess = new() { OperationToken = new string('t', 4097) } } },
        }, Short), RpcException.StatusCode.InvalidArgument, "operation token length exceeds allowed limit (4097/4096)");
        await RefusedAsync(Raw.RespondNexusTaskFailedAsync(new()
        {
            Namespace = "default",
            TaskToken = UnknownTaskToken(),
            Error = new() { ErrorType = "INTERNAL", Failure = new() { Message = "boom", Details = ByteString.CopyFromUtf8("{not json") } },
        }, Short), RpcException.StatusCode.InvalidArgument, "failure details must be JSON serializable");
        await RefusedAsync(Raw.RespondNexusTaskCompletedAsync(new()
        {
            Namespace = "no-such-namespace-" + Guid.NewGuid(),
            TaskToken = UnknownTaskToken(),
            Response = SyncResponse(),
        }, Short), RpcException.StatusCode.NotFound, "is not found");
    }
}
