using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>Each size limit is a setting: a server configured with small ones enforces those, in the same words.</summary>
public sealed class ConfiguredLimitTests : IAsyncLifetime
{
    private OwnServer? _server;

    private Temporalio.Client.WorkflowService Raw => _server!.Client.Connection.WorkflowService;

    public async Task InitializeAsync() => _server = await OwnServer.StartAsync("configured-limits", options => options with
    {
        GrpcMaxReceiveMessageSize = 64 * 1024,
        BlobSizeLimitError = 1000,
        MemoSizeLimitError = 1000,
        UserMetadataSummarySizeLimit = 10,
        UserMetadataDetailsSizeLimit = 20,
        SearchAttributesNumberOfKeysLimit = 1,
        SearchAttributesSizeOfValueLimit = 8,
        SearchAttributesTotalSizeLimit = 30,
        SearchAttributes = new Dictionary<string, Tempora.Visibility.Query.SearchAttributeType>
        {
            ["CustomerId"] = Tempora.Visibility.Query.SearchAttributeType.Keyword,
        },
    });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static Payload Bytes(int size) => new() { Data = ByteString.CopyFrom(new byte[size]) };

    private static Payload Json(string value) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8($"\"{value}\""),
    };

    private static StartWorkflowExecutionRequest StartRequest() => new()
    {
        Namespace = "default",
        WorkflowId = ServerFixture.NewWorkflowId("configured"),
        WorkflowType = new WorkflowType { Name = "Raw" },
        TaskQueue = RawWorker.NormalQueue(ServerFixture.NewTaskQueue("configured")),
        RequestId = Guid.NewGuid().ToString(),
    };

    private async Task<RpcException> RefusedAsync(StartWorkflowExecutionRequest request) =>
        await Assert.ThrowsAsync<RpcException>(() => Raw.StartWorkflowExecutionAsync(request));

    [Fact]
    public async Task Start_OverConfiguredReceiveLimit_ResourceExhaustedNamingIt()
    {
        var random = new byte[100 * 1024];
        Random.Shared.NextBytes(random); // incompressible: over the limit on the wire despite the SDK's gzip
        var onTheWire = StartRequest();
        onTheWire.Input = new Payloads { Payloads_ = { new Payload { Data = ByteString.CopyFrom(random) } } };
        var inflated = StartRequest();
        inflated.Input = new Payloads { Payloads_ = { Bytes(100 * 1024) } };

        var wireRefused = await RefusedAsync(onTheWire);
        var inflatedRefused = await RefusedAsync(inflated);

        Assert.Equal(RpcException.StatusCode.ResourceExhausted, wireRefused.Code);
        Assert.Matches(@"^grpc: received message larger than max \(\d+ vs\. 65536\)$", wireRefused.Message);
        Assert.Equal(RpcException.StatusCode.ResourceExhausted, inflatedRefused.Code);
        Assert.Equal("grpc: received message after decompression larger than max 65536", inflatedRefused.Message);
    }

    [Fact]
    public async Task Start_OverConfiguredBlobAndMemoLimits_InvalidArgument()
    {
        var input = StartRequest();
        input.Input = new Payloads { Payloads_ = { Bytes(2000) } };
        var memo = StartRequest();
        memo.Memo = new Memo { Fields = { ["m"] = Bytes(2000) } };

        var inputRefused = await RefusedAsync(input);
        var memoRefused = await RefusedAsync(memo);

        Assert.Equal((RpcException.StatusCode.InvalidArgument, "Blob data size exceeds limit (input)."), (inputRefused.Code, inputRefused.Message));
        Assert.Equal((RpcException.StatusCode.InvalidArgument, "Memo size exceeds limit."), (memoRefused.Code, memoRefused.Message));
    }

    [Fact]
    public async Task Start_OverConfiguredUserMetadataLimits_InvalidArgument()
    {
        var summary = StartRequest();
        summary.UserMetadata = new UserMetadata { Summary = Json("a summary of more than ten bytes") };
        var details = StartRequest();
        details.UserMetadata = new UserMetadata { Details = Json("details of more than twenty bytes") };

        var summaryRefused = await RefusedAsync(summary);
        var detailsRefused = await RefusedAsync(details);

        Assert.Equal($"user_metadata.summary exceeds size limit. Length={summary.UserMetadata.Summary.CalculateSize()} Limit=10", summaryRefused.Message);
        Assert.Equal($"user_metadata.details exceeds size limit. Length={details.UserMetadata.Details.CalculateSize()} Limit=20", detailsRefused.Message);
    }

    [Fact]
    public async Task Start_OverConfiguredSearchAttributeLimits_InvalidArgument()
    {
        var count = StartRequest();
        count.SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = Json("c"), ["Other"] = Json("o") } };
        var value = StartRequest();
        value.SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = Json("customer-42") } };
        var total = StartRequest();
        total.SearchAttributes = new SearchAttributes { IndexedFields = { ["CustomerId"] = Json("c-42") } };
        total.SearchAttributes.IndexedFields["CustomerId"].Metadata["padding"] = ByteString.CopyFromUtf8("metadata counts toward the total");

        var countRefused = await RefusedAsync(count);
        var valueRefused = await RefusedAsync(value);
        var totalRefused = await RefusedAsync(total);

        Assert.Equal("number of search attributes 2 exceeds limit 1", countRefused.Message);
        Assert.Equal("search attribute CustomerId value size 13 exceeds size limit 8", valueRefused.Message);
        Assert.Equal($"total size of search attributes {total.SearchAttributes.CalculateSize()} exceeds size limit 30", totalRefused.Message);
    }

    [Fact]
    public async Task ScheduleNexusOperation_InputOverTheBlobLimit_TerminatesTheRun()
    {
        var client = _server!.Client;
        var endpoint = $"ep-limit-{Guid.NewGuid():N}";
        await client.OperatorService.CreateNexusEndpointAsync(new()
        {
            Spec = new()
            {
                Name = endpoint,
                Target = new() { Worker = new() { Namespace = "default", TaskQueue = ServerFixture.NewTaskQueue("nexus-limit-handler") } },
            },
        });
        var taskQueue = ServerFixture.NewTaskQueue("nexus-limit");
        using var worker = new Temporalio.Worker.TemporalWorker(client,
            new Temporalio.Worker.TemporalWorkerOptions(taskQueue).AddWorkflow<NexusOperationTests.CallerWorkflow>());

        var events = await worker.ExecuteAsync(async () =>
        {
            var handle = await client.StartWorkflowAsync((NexusOperationTests.CallerWorkflow wf) =>
                wf.RunAsync(endpoint, "big:2000", 0, false), new(ServerFixture.NewWorkflowId("nexus-limit"), taskQueue));
            await Assert.ThrowsAsync<Temporalio.Exceptions.WorkflowFailedException>(() => handle.GetResultAsync<string>().WithTimeout("terminated caller"));
            return await handle.EventsAsync();
        });

        var failed = Assert.Single(events, e => e.EventType == Temporalio.Api.Enums.V1.EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal(Temporalio.Api.Enums.V1.WorkflowTaskFailedCause.BadScheduleNexusOperationAttributes, failed.Cause);
        var terminated = events[^1].WorkflowExecutionTerminatedEventAttributes;
        Assert.Equal("ScheduleNexusOperationCommandAttributes.Input exceeds size limit", terminated.Reason);
        Assert.DoesNotContain(events, e => e.EventType == Temporalio.Api.Enums.V1.EventType.NexusOperationScheduled);
    }
}
