using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Tempora.Cluster.Internal;
using Tempora.Cluster.Peers;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// An outsider on the public gRPC port cannot pass for a replica: a request carrying the forwarded marker
/// (tempora-forwarded) or calling the internal cluster service is refused with PermissionDenied and changes nothing,
/// on every store (SQLite, where there are no replicas at all; PostgreSQL; a cluster, whose replicas share a secret).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ReplicaTrustTests(ServerFixture fixture) : IDisposable
{
    private const string WorkflowService = "temporal.api.workflowservice.v1.WorkflowService";
    private const string OperatorService = "temporal.api.operatorservice.v1.OperatorService";

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task AForgedForwardedMarker_OnASignal_IsRefused_AndTheWorkflowGetsNoSignal()
    {
        var workflowId = ServerFixture.NewWorkflowId("forged-signal");
        var handle = await fixture.Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(),
            new(workflowId, ServerFixture.NewTaskQueue("forged-signal")));
        var signal = new SignalWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowExecution = new WorkflowExecution { WorkflowId = workflowId },
            SignalName = "Finish",
            Identity = "outsider",
            RequestId = Guid.NewGuid().ToString(),
        };

        foreach (var headers in new[] { Marker(), Marker(secret: "a-guess-at-the-cluster-secret") })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync<SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse>(
                "SignalWorkflowExecution", signal, headers));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            Assert.Equal("Request unauthorized.", refused.Status.Detail);
        }

        // The same signal without the marker is a client's, served as usual: it was the marker that was refused.
        Assert.DoesNotContain(await handle.EventsAsync(), e => e.EventType == EventType.WorkflowExecutionSignaled);
        await CallAsync<SignalWorkflowExecutionRequest, SignalWorkflowExecutionResponse>("SignalWorkflowExecution", signal, []);
        Assert.Single(await handle.EventsAsync(), e => e.EventType == EventType.WorkflowExecutionSignaled);
    }

    [Fact]
    public async Task AForgedMarker_OnRequestsAboutNoWorkflow_IsRefused_AndNothingChanges()
    {
        var name = $"forged-{Guid.NewGuid():N}";
        var register = new RegisterNamespaceRequest
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        };

        var registerRefused = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync<RegisterNamespaceRequest, RegisterNamespaceResponse>("RegisterNamespace", register, Marker()));
        var listRefused = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync<ListNamespacesRequest, ListNamespacesResponse>("ListNamespaces", new ListNamespacesRequest(), Marker()));
        var operatorRefused = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync<ListSearchAttributesRequest, ListSearchAttributesResponse>("ListSearchAttributes",
                new ListSearchAttributesRequest { Namespace = "default" }, Marker(), OperatorService));

        Assert.Equal(StatusCode.PermissionDenied, registerRefused.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, listRefused.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, operatorRefused.StatusCode);
        var lookup = await Assert.ThrowsAsync<RpcException>(() => CallAsync<DescribeNamespaceRequest, DescribeNamespaceResponse>(
            "DescribeNamespace", new DescribeNamespaceRequest { Namespace = name }, []));
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task TheClusterService_IsRefusedToAClient_WithOrWithoutTheMarker()
    {
        // The body does not matter: the call is refused before it is read (without the check, "{}" reaches the handler
        // and fails there with another status).
        var body = Encoding.UTF8.GetBytes("{}");
        var invoker = _channel.CreateCallInvoker();

        foreach (var headers in new[] { new Metadata(), Marker(), new Metadata { { ClusterSecret.Header, "a-guess-at-the-cluster-secret" } } })
        {
            foreach (var method in new[] { ClusterMethods.DeliverExternalRequest, ClusterMethods.StartChild, ClusterMethods.NotifyParent })
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() =>
                    invoker.AsyncUnaryCall(method, null, new CallOptions(headers), body).ResponseAsync);
                Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            }
        }
    }

    private static Metadata Marker(string? secret = null)
    {
        var headers = new Metadata { { ClusterChannels.ForwardedHeader, "1" } };
        if (secret is not null)
        {
            headers.Add(ClusterSecret.Header, secret);
        }
        return headers;
    }

    /// <summary>A raw WorkflowService (or other) call with the given headers, as any gRPC client can make it.</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request, Metadata headers, string service = WorkflowService)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var rpc = new Method<TRequest, TResponse>(MethodType.Unary, service, method,
            Marshallers.Create(r => r.ToByteArray(), b => new MessageParser<TRequest>(() => new TRequest()).ParseFrom(b)),
            Marshallers.Create(r => r.ToByteArray(), b => new MessageParser<TResponse>(() => new TResponse()).ParseFrom(b)));
        return await _channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)), request);
    }
}
