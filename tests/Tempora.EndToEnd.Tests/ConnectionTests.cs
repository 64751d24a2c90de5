using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class ConnectionTests(ServerFixture fixture)
{
    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    [Fact]
    public async Task GetSystemInfo_Called_ReturnsVersionAndExactlyTheSupportedCapabilities()
    {
        var info = await fixture.Client.Connection.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest());

        Assert.False(string.IsNullOrWhiteSpace(info.ServerVersion), "server version should be reported");
        // Exactly what Tempora advertises (SDKs switch features on from these). Eager workflow start is understood, as by
        // Temporal whatever system.enableEagerWorkflowStart says; build-id based versioning makes the SDKs stamp their
        // polls and completions with their build id, which history records as 1.28 does (docs/worker-versioning.md).
        // Temporal 1.28 also says nexus when it serves its HTTP handlers for Nexus requests, which Tempora does not.
        Assert.Equal(new GetSystemInfoResponse.Types.Capabilities
        {
            SignalAndQueryHeader = true,
            InternalErrorDifferentiation = true,
            ActivityFailureIncludeHeartbeat = true,
            EncodedFailureAttributes = true,
            UpsertMemo = true,
            SdkMetadata = true,
            CountGroupByExecutionStatus = true,
            EagerWorkflowStart = true,
            BuildIdBasedVersioning = true,
            SupportsSchedules = true,
        }, info.Capabilities);
    }

    [Fact]
    public async Task DescribeNamespace_Default_ReturnsRegisteredNamespace()
    {
        var resp = await Raw.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" });

        Assert.Equal("default", resp.NamespaceInfo.Name);
        Assert.Equal(NamespaceState.Registered, resp.NamespaceInfo.State);
        Assert.False(string.IsNullOrEmpty(resp.NamespaceInfo.Id), "namespace id should be set");
    }

    [Fact]
    public async Task DescribeNamespace_CreatedByOptions_Exists()
    {
        var resp = await Raw.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ServerFixture.ExtraNamespace });

        Assert.Equal(ServerFixture.ExtraNamespace, resp.NamespaceInfo.Name);
        Assert.Equal(NamespaceState.Registered, resp.NamespaceInfo.State);
    }

    [Fact]
    public async Task RegisterNamespace_NewName_IsDescribedAndListed()
    {
        var name = ServerFixture.NewWorkflowId("ns");

        await Raw.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = name,
            Description = "created by e2e test",
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(3)),
        });

        var described = await Raw.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = name });
        Assert.Equal(name, described.NamespaceInfo.Name);
        Assert.Equal("created by e2e test", described.NamespaceInfo.Description);
        Assert.Equal(TimeSpan.FromDays(3), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());

        var listed = new List<string>();
        var token = ByteString.Empty;
        for (var page = 0; page < 100; page++)
        {
            var resp = await Raw.ListNamespacesAsync(new ListNamespacesRequest { PageSize = 100, NextPageToken = token });
            listed.AddRange(resp.Namespaces.Select(n => n.NamespaceInfo.Name));
            token = resp.NextPageToken;
            if (token.IsEmpty)
            {
                break;
            }
        }

        Assert.Contains(name, listed);
        Assert.Contains("default", listed);
        Assert.Contains(ServerFixture.ExtraNamespace, listed);
    }

    [Fact]
    public async Task RegisterNamespace_Twice_ThrowsAlreadyExists()
    {
        var request = new RegisterNamespaceRequest
        {
            Namespace = ServerFixture.NewWorkflowId("ns-dup"),
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        };
        await Raw.RegisterNamespaceAsync(request);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.RegisterNamespaceAsync(request));

        Assert.Equal(RpcException.StatusCode.AlreadyExists, ex.Code);
    }

    [Fact]
    public async Task DescribeNamespace_Unknown_ThrowsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(
            () => Raw.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ServerFixture.NewWorkflowId("no-such-ns") }));

        Assert.Equal(RpcException.StatusCode.NotFound, ex.Code);
    }

    [Fact]
    public async Task ClientInOtherNamespace_HelloWorkflow_Completes()
    {
        var client = await ServerFixture.ConnectAsync(fixture.Server, ServerFixture.ExtraNamespace);
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(
            client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));

        var result = await worker.ExecuteAsync(() =>
            client.ExecuteWorkflowAsync(
                (HelloWorkflow wf) => wf.RunAsync("extra"),
                new(ServerFixture.NewWorkflowId(), taskQueue)).WithTimeout("hello workflow in e2e-extra"));

        Assert.Equal("Hello, extra!", result);
    }
}
