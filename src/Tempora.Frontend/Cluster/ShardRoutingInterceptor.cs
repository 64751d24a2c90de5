using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Tempora.Core;
using Tempora.History;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Cluster;

/// <summary>
/// Sends each request about one workflow to the process that owns the workflow's shard (as Temporal's frontend
/// sends it to the history host owning the shard). Requests not tied to a workflow (namespaces, visibility, polls,
/// cluster info) are served by whichever process received them. With one process (SQLite, one replica) every shard
/// is local and this is a pass-through.
/// </summary>
public sealed class ShardRoutingInterceptor(IShardOwnership ownership, NamespaceRegistry namespaces, ClusterChannels channels) : Interceptor
{
    private readonly bool _alone = ownership is SingleProcessShards;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (_alone || await TargetAsync(request, context.CancellationToken) is not var (namespaceId, workflowId))
        {
            return await continuation(request, context);
        }
        // While a shard has no reachable owner (it is moving, or its owner died and its lease has not run out) the
        // request waits here and tries again, as Temporal's frontend retries history: the survivors take a dead
        // replica's shards within about 11 s, which would otherwise outlast the SDKs' own retries of Unavailable.
        var giveUpAt = DateTime.UtcNow + MaxWaitForOwner;
        if (context.Deadline != DateTime.MaxValue && context.Deadline - WaitReserve < giveUpAt)
        {
            giveUpAt = context.Deadline - WaitReserve;
        }
        var forwarded = ClusterChannels.IsForwarded(context);
        while (true)
        {
            var route = ownership.Route(namespaceId, workflowId);
            if (route.Kind == ShardRouteKind.Local)
            {
                return await continuation(request, context);
            }
            if (forwarded)
            {
                // Sent here by a process whose view is a moment old: it waits and routes again itself.
                throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count));
            }
            if (route.Kind == ShardRouteKind.Remote)
            {
                try
                {
                    return await channels.ForwardAsync<TRequest, TResponse>(route.Address!, context.Method, request, ClusterChannels.ForwardOptions(context));
                }
                catch (RpcException e) when (NotDelivered(e) && DateTime.UtcNow < giveUpAt)
                {
                    // The owner is unreachable (it died?) or refused the request unread: try again below.
                }
            }
            if (DateTime.UtcNow >= giveUpAt)
            {
                throw new ShardUnavailableException(Shards.Of(namespaceId, workflowId, ownership.Count));
            }
            await Task.Delay(RetryEvery, context.CancellationToken);
        }
    }

    private static readonly TimeSpan MaxWaitForOwner = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitReserve = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// True when the forwarded request surely did not run: the owner could not be reached (no connection), or it
    /// answered that the shard is not its own any more. Anything else is the owner's answer and goes to the client.
    /// </summary>
    private static bool NotDelivered(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        && (e.Status.DebugException is System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException
            || e.Status.Detail.Contains(ShardUnavailableException.MessageMarker, StringComparison.Ordinal));

    /// <summary>The workflow a request is about, as (namespace id, workflow id); null for requests about none.</summary>
    private async Task<(string NamespaceId, string WorkflowId)?> TargetAsync(object request, CancellationToken ct)
    {
        var token = request switch
        {
            RespondWorkflowTaskCompletedRequest r => r.TaskToken,
            RespondWorkflowTaskFailedRequest r => r.TaskToken,
            RespondQueryTaskCompletedRequest r => r.TaskToken,
            RecordActivityTaskHeartbeatRequest r => r.TaskToken,
            RespondActivityTaskCompletedRequest r => r.TaskToken,
            RespondActivityTaskFailedRequest r => r.TaskToken,
            RespondActivityTaskCanceledRequest r => r.TaskToken,
            _ => null,
        };
        if (token is not null)
        {
            return FromToken(token);
        }
        var (ns, workflowId) = request switch
        {
            StartWorkflowExecutionRequest r => (r.Namespace, r.WorkflowId),
            SignalWithStartWorkflowExecutionRequest r => (r.Namespace, r.WorkflowId),
            ExecuteMultiOperationRequest r => (r.Namespace, r.Operations.FirstOrDefault()?.StartWorkflow?.WorkflowId),
            SignalWorkflowExecutionRequest r => (r.Namespace, Id(r.WorkflowExecution)),
            QueryWorkflowRequest r => (r.Namespace, Id(r.Execution)),
            DescribeWorkflowExecutionRequest r => (r.Namespace, Id(r.Execution)),
            GetWorkflowExecutionHistoryRequest r => (r.Namespace, Id(r.Execution)),
            GetWorkflowExecutionHistoryReverseRequest r => (r.Namespace, Id(r.Execution)),
            RequestCancelWorkflowExecutionRequest r => (r.Namespace, Id(r.WorkflowExecution)),
            TerminateWorkflowExecutionRequest r => (r.Namespace, Id(r.WorkflowExecution)),
            ResetWorkflowExecutionRequest r => (r.Namespace, Id(r.WorkflowExecution)),
            DeleteWorkflowExecutionRequest r => (r.Namespace, Id(r.WorkflowExecution)),
            UpdateWorkflowExecutionRequest r => (r.Namespace, Id(r.WorkflowExecution)),
            PollWorkflowExecutionUpdateRequest r => (r.Namespace, Id(r.UpdateRef?.WorkflowExecution)),
            ResetStickyTaskQueueRequest r => (r.Namespace, Id(r.Execution)),
            RecordActivityTaskHeartbeatByIdRequest r => (r.Namespace, r.WorkflowId),
            RespondActivityTaskCompletedByIdRequest r => (r.Namespace, r.WorkflowId),
            RespondActivityTaskFailedByIdRequest r => (r.Namespace, r.WorkflowId),
            RespondActivityTaskCanceledByIdRequest r => (r.Namespace, r.WorkflowId),
            _ => (null, null),
        };
        if (string.IsNullOrEmpty(ns) || string.IsNullOrEmpty(workflowId))
        {
            return null; // not about a workflow, or invalid: the handler answers it (validation errors included)
        }
        try
        {
            return ((await namespaces.GetByNameAsync(ns, ct)).Id, workflowId);
        }
        catch (Core.Errors.NamespaceNotFoundException)
        {
            return null; // the handler answers NotFound the usual way
        }
    }

    private static string? Id(WorkflowExecution? execution) => execution?.WorkflowId;

    private static (string, string)? FromToken(ByteString token)
    {
        try
        {
            var t = TaskToken.Deserialize(token.Span);
            return (t.NamespaceId, t.WorkflowId);
        }
        catch (Core.Errors.InvalidArgumentException)
        {
            return null; // the handler rejects the malformed token
        }
    }
}
