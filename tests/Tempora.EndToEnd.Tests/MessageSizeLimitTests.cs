using System.Collections.Concurrent;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The 4 MiB gRPC request limit of Temporal's frontend (grpc-go's default): a larger request is refused with
/// ResourceExhausted in grpc-go's words, which the SDK recognises (temporal-compat.md §1.1, §7).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MessageSizeLimitTests(ServerFixture fixture)
{
    private const int FourMebibytes = 4 * 1024 * 1024;

    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    [Fact]
    public async Task StartWorkflow_RequestOverFourMebibytes_ResourceExhaustedInGrpcGoWords()
    {
        // Random bytes: the SDK gzips its requests, and these stay over 4 MiB on the wire.
        var request = StartRequest(RandomBytes(5 * 1024 * 1024));
        const string Refused = "service_errors_resource_exhausted{operation=\"StartWorkflowExecution\"}";
        using var http = new HttpClient();
        var before = (await ObservabilityScrape.ScrapeAsync(http, fixture.Server.MetricsAddress)).Value(Refused);

        var e = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.ResourceExhausted, e.Code);
        Assert.Matches(@"^grpc: received message larger than max \(\d+ vs\. 4194304\)$", e.Message);
        await AssertNoWorkflowAsync(request.WorkflowId);
        // Refused before the gRPC endpoint, and still counted where operators look.
        Assert.Equal(before + 1, (await ObservabilityScrape.ScrapeAsync(http, fixture.Server.MetricsAddress)).Value(Refused));
    }

    [Fact]
    public async Task StartWorkflow_CompressedRequestOverFourMebibytes_ResourceExhaustedInGrpcGoWords()
    {
        // Zeros: gzip makes them a few kilobytes on the wire; the limit holds for the message they inflate to.
        var request = StartRequest(new byte[5 * 1024 * 1024]);

        var e = await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

        Assert.Equal(RpcException.StatusCode.ResourceExhausted, e.Code);
        Assert.Equal($"grpc: received message after decompression larger than max {FourMebibytes}", e.Message);
        await AssertNoWorkflowAsync(request.WorkflowId);
    }

    private static StartWorkflowExecutionRequest StartRequest(byte[] input) => new()
    {
        Namespace = "default",
        WorkflowId = ServerFixture.NewWorkflowId("oversize-request"),
        WorkflowType = new WorkflowType { Name = "NoSuchWorkflow" },
        TaskQueue = RawWorker.NormalQueue(ServerFixture.NewTaskQueue()),
        RequestId = Guid.NewGuid().ToString(),
        Input = new Payloads { Payloads_ = { new Payload { Data = ByteString.CopyFrom(input) } } },
    };

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private async Task AssertNoWorkflowAsync(string workflowId)
    {
        var notFound = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetWorkflowHandle(workflowId).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, notFound.Code);
    }

    [Fact]
    public async Task CompleteWorkflowTask_CompletionOverFourMebibytes_WorkflowTaskFailedWithGrpcMessageTooLarge()
    {
        var taskQueue = ServerFixture.NewTaskQueue("oversize-completion");
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<FirstAttemptTooLargeWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((FirstAttemptTooLargeWorkflow wf) => wf.RunAsync(),
                new(ServerFixture.NewWorkflowId("oversize-completion"), taskQueue));

            // The SDK reads the refusal as a message too large, reports it as the task's failure, and the next attempt
            // (a smaller result) completes: the refusal was neither retried as it was nor taken for a fatal error.
            Assert.Equal("small", await handle.GetResultAsync().WithTimeout("the second attempt to complete the workflow"));
            var failed = (await handle.EventsAsync()).Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.GrpcMessageTooLarge, failed.Cause);
            Assert.Equal("GrpcMessageTooLarge", failed.Failure.ApplicationFailureInfo.Type); // Core's own failure for it
        });
    }

    /// <summary>Returns 5 MB the first time it runs for a workflow id (over the gRPC limit, under nothing else that fails first), then a small result.</summary>
    [Workflow]
    public class FirstAttemptTooLargeWorkflow
    {
        private static readonly ConcurrentDictionary<string, bool> Ran = new(StringComparer.Ordinal);

        [WorkflowRun]
        public Task<string> RunAsync() =>
            Task.FromResult(Ran.TryAdd(Workflow.Info.WorkflowId, true) ? new string('x', 5_000_000) : "small");
    }
}
