using System.Text.Json;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Tempora.Cluster.Peers;
using Tempora.History;
using Tempora.History.Api;
using Tempora.Persistence;

namespace Tempora.Cluster.Internal;

/// <summary>
/// Tempora's own service between the processes of a cluster, on the same port as the WorkflowService: the steps one
/// run's durable task takes on a run whose shard another process owns (<see cref="IRemoteRuns"/>). Messages are
/// JSON (protobuf parts as bytes inside); the service is internal, not part of Temporal's API.
/// </summary>
public static class ClusterMethods
{
    public const string ServiceName = "tempora.cluster.v1.ClusterService";

    public static readonly Method<byte[], byte[]> StartChild = Create("StartChild");
    public static readonly Method<byte[], byte[]> StartScheduled = Create("StartScheduled");
    public static readonly Method<byte[], byte[]> NotifyParent = Create("NotifyParent");
    public static readonly Method<byte[], byte[]> CompleteNexusOperation = Create("CompleteNexusOperation");
    public static readonly Method<byte[], byte[]> ApplyParentClosePolicy = Create("ApplyParentClosePolicy");
    public static readonly Method<byte[], byte[]> DeliverExternalRequest = Create("DeliverExternalRequest");
    public static readonly Method<byte[], byte[]> CallOffPoll = Create("CallOffPoll");
    public static readonly Method<byte[], byte[]> ReloadDeploymentRouting = Create("ReloadDeploymentRouting");

    private static Method<byte[], byte[]> Create(string name)
    {
        var bytes = Marshallers.Create(b => b, b => b);
        return new Method<byte[], byte[]>(MethodType.Unary, ServiceName, name, bytes, bytes);
    }

    public static byte[] Encode<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value);

    public static T Decode<T>(byte[] bytes) => JsonSerializer.Deserialize<T>(bytes) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "empty message"));
}

/// <summary>
/// The receiving side: runs the step here, as a local step would (it refuses if the shard is not ours). Only a replica
/// may call it: <see cref="PeerTrustInterceptor"/> refuses anyone else first, and each method checks that it did.
/// </summary>
public sealed class ClusterService(HistoryEngine history, Polling.ForwardedPolls polls, Matching.Versioning.DeploymentRoutingCache routing)
{
    /// <summary>Takes up a worker deployment routing change another replica made (<see cref="Peers.DeploymentRoutingPropagation"/>).</summary>
    public async Task<byte[]> ReloadDeploymentRouting(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        await routing.ReloadAsync(context.CancellationToken);
        return ClusterMethods.Encode(true);
    }

    /// <summary>Stops a poll the caller forwarded here from waiting (<see cref="Polling.PollFanOut"/>).</summary>
    public Task<byte[]> CallOffPoll(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        polls.CallOff(ClusterMethods.Decode<string>(request));
        return Task.FromResult(ClusterMethods.Encode(true));
    }

    public async Task<byte[]> StartChild(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        return ClusterMethods.Encode(await history.StartChildHereAsync(ClusterMethods.Decode<ChildStartCall>(request), context.CancellationToken));
    }

    public async Task<byte[]> StartScheduled(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        return ClusterMethods.Encode(await history.StartScheduledHereAsync(ClusterMethods.Decode<ScheduledStartCall>(request), context.CancellationToken));
    }

    public async Task<byte[]> NotifyParent(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        return ClusterMethods.Encode(await history.NotifyParentHereAsync(ClusterMethods.Decode<TransferTaskRecord>(request), context.CancellationToken));
    }

    public async Task<byte[]> CompleteNexusOperation(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        return ClusterMethods.Encode(await history.CompleteNexusOperationHereAsync(ClusterMethods.Decode<TransferTaskRecord>(request), context.CancellationToken));
    }

    public async Task<byte[]> ApplyParentClosePolicy(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        return ClusterMethods.Encode(await history.ApplyParentClosePolicyHereAsync(ClusterMethods.Decode<TransferTaskRecord>(request), context.CancellationToken));
    }

    public async Task<byte[]> DeliverExternalRequest(byte[] request, ServerCallContext context)
    {
        PeerAuthentication.RequireProvenReplica(context);
        return ClusterMethods.Encode(await history.DeliverExternalRequestHereAsync(ClusterMethods.Decode<ExternalRequestCall>(request), context.CancellationToken));
    }
}

/// <summary>Registers <see cref="ClusterService"/>'s methods with ASP.NET Core gRPC (there is no generated stub).</summary>
internal sealed class ClusterServiceBinder : IServiceMethodProvider<ClusterService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<ClusterService> context)
    {
        context.AddUnaryMethod(ClusterMethods.StartChild, [], (s, r, c) => s.StartChild(r, c));
        context.AddUnaryMethod(ClusterMethods.StartScheduled, [], (s, r, c) => s.StartScheduled(r, c));
        context.AddUnaryMethod(ClusterMethods.NotifyParent, [], (s, r, c) => s.NotifyParent(r, c));
        context.AddUnaryMethod(ClusterMethods.CompleteNexusOperation, [], (s, r, c) => s.CompleteNexusOperation(r, c));
        context.AddUnaryMethod(ClusterMethods.ApplyParentClosePolicy, [], (s, r, c) => s.ApplyParentClosePolicy(r, c));
        context.AddUnaryMethod(ClusterMethods.DeliverExternalRequest, [], (s, r, c) => s.DeliverExternalRequest(r, c));
        context.AddUnaryMethod(ClusterMethods.CallOffPoll, [], (s, r, c) => s.CallOffPoll(r, c));
        context.AddUnaryMethod(ClusterMethods.ReloadDeploymentRouting, [], (s, r, c) => s.ReloadDeploymentRouting(r, c));
    }
}

/// <summary>The sending side of <see cref="IRemoteRuns"/>.</summary>
internal sealed class RemoteRunsClient(ClusterChannels channels) : IRemoteRuns
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public Task<ChildStartOutcome> StartChildAsync(string address, ChildStartCall call, CancellationToken ct) =>
        CallAsync<ChildStartCall, ChildStartOutcome>(address, ClusterMethods.StartChild, call, ct);

    public Task<ScheduledStartOutcome> StartScheduledAsync(string address, ScheduledStartCall call, CancellationToken ct) =>
        CallAsync<ScheduledStartCall, ScheduledStartOutcome>(address, ClusterMethods.StartScheduled, call, ct);

    public Task<bool> NotifyParentAsync(string address, TransferTaskRecord timer, CancellationToken ct) =>
        CallAsync<TransferTaskRecord, bool>(address, ClusterMethods.NotifyParent, timer, ct);

    public Task<bool> CompleteNexusOperationAsync(string address, TransferTaskRecord task, CancellationToken ct) =>
        CallAsync<TransferTaskRecord, bool>(address, ClusterMethods.CompleteNexusOperation, task, ct);

    public Task<bool> ApplyParentClosePolicyAsync(string address, TransferTaskRecord timer, CancellationToken ct) =>
        CallAsync<TransferTaskRecord, bool>(address, ClusterMethods.ApplyParentClosePolicy, timer, ct);

    public Task<int> DeliverExternalRequestAsync(string address, ExternalRequestCall call, CancellationToken ct) =>
        CallAsync<ExternalRequestCall, int>(address, ClusterMethods.DeliverExternalRequest, call, ct);

    private async Task<TResult> CallAsync<TCall, TResult>(string address, Method<byte[], byte[]> method, TCall call, CancellationToken ct)
    {
        var options = new CallOptions(
            headers: [new Metadata.Entry(ClusterChannels.ForwardedHeader, "1")],
            deadline: DateTime.UtcNow + Timeout,
            cancellationToken: ct);
        var response = await channels.Invoker(address).AsyncUnaryCall(method, null, options, ClusterMethods.Encode(call));
        return ClusterMethods.Decode<TResult>(response);
    }
}
