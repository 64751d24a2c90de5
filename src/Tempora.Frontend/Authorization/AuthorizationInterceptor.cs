using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.WorkflowService.V1;
using Tempora.Cluster.Peers;
using Tempora.Core.Loopback;

namespace Tempora.Frontend.Authorization;

/// <summary>
/// Temporal's authorization interceptor on WorkflowService and OperatorService: the claim mapper turns the request's
/// token into claims, the authorizer decides from the API's scope and access (<see cref="ApiMethods"/>), and a refused
/// request runs nothing. Two callers are not asked: a request forwarded by a replica (the peer-trust interceptor ahead
/// of this one refuses a marker from anyone else; the entry replica authorized it) and this process's own system work
/// (<see cref="InternalCaller"/>). Other services (health, the replicas' cluster service) are not Temporal APIs and
/// pass untouched.
/// </summary>
/// <remarks>
/// Temporal answers PermissionDenied to a missing or invalid token too; Tempora answers Unauthenticated there, so that
/// a client can tell "log in again" from "not allowed" (issue 21, docs/security.md).
/// </remarks>
internal sealed partial class AuthorizationInterceptor(
    AuthorizationSettings settings, InternalCaller internalCaller, JwtClaimMapper? claimMapper, ILogger<AuthorizationInterceptor> logger)
    : Interceptor
{
    public const string Unauthenticated = "Request unauthenticated.";

    public const string Unauthorized = "Request unauthorized.";

    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> NamespaceFields = new();

    private readonly string _authHeader = settings.AuthHeaderName.ToLowerInvariant();

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(request as IMessage, context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(request as IMessage, context);
        await continuation(request, responseStream, context);
    }

    private async Task AuthorizeAsync(IMessage? request, ServerCallContext context)
    {
        var method = context.Method;
        if (!method.StartsWith(ApiMethods.WorkflowServicePrefix, StringComparison.Ordinal)
            && !method.StartsWith(ApiMethods.OperatorServicePrefix, StringComparison.Ordinal))
        {
            return;
        }
        var headers = context.RequestHeaders;
        if (headers.Get(ClusterChannels.ForwardedHeader) is not null)
        {
            return;
        }
        if (headers.GetValue(InternalCaller.Header) is { } presented)
        {
            if (internalCaller.Matches(presented))
            {
                return;
            }
            LogForgedInternalCaller(logger, method, context.Peer);
        }

        // Temporal's no-op claim mapper makes every caller a system admin; the default one reads the token, if any.
        Claims? claims = Claims.SystemAdmin;
        if (claimMapper is not null)
        {
            claims = null;
            if (headers.GetValue(_authHeader) is { Length: > 0 } token)
            {
                try
                {
                    claims = await claimMapper.MapAsync(token, context.CancellationToken);
                }
                catch (TokenRejectedException e)
                {
                    LogTokenRejected(logger, method, context.Peer, e.Message);
                    throw Errors.Build(StatusCode.Unauthenticated, Unauthenticated, null);
                }
            }
        }
        if (!settings.UsesDefaultAuthorizer)
        {
            return;
        }
        var ns = request is null ? "" : NamespaceOf(request);
        Check(claims, method, ns, context);
        if (request is RespondWorkflowTaskCompletedRequest completion)
        {
            CheckTargetNamespaces(claims, completion, context);
        }
    }

    private void Check(Claims? claims, string method, string ns, ServerCallContext context)
    {
        if (DefaultAuthorizer.IsAllowed(claims, method, ns))
        {
            return;
        }
        if (claims is null)
        {
            LogNoToken(logger, method, context.Peer);
            throw Errors.Build(StatusCode.Unauthenticated, Unauthenticated, null);
        }
        LogDenied(logger, method, ns, claims.Subject);
        throw Errors.Build(StatusCode.PermissionDenied, Unauthorized, new PermissionDeniedFailure());
    }

    /// <summary>
    /// Commands of a workflow task aimed at another namespace need the caller's right to the API they stand for
    /// there, as Temporal checks them (interceptor.go, authorizeTargetNamespaces).
    /// </summary>
    private void CheckTargetNamespaces(Claims? claims, RespondWorkflowTaskCompletedRequest completion, ServerCallContext context)
    {
        HashSet<string>? checkedTargets = null;
        foreach (var command in completion.Commands)
        {
            var (target, api) = command.CommandType switch
            {
                CommandType.SignalExternalWorkflowExecution =>
                    (command.SignalExternalWorkflowExecutionCommandAttributes?.Namespace, "SignalWorkflowExecution"),
                CommandType.StartChildWorkflowExecution =>
                    (command.StartChildWorkflowExecutionCommandAttributes?.Namespace, "StartWorkflowExecution"),
                CommandType.RequestCancelExternalWorkflowExecution =>
                    (command.RequestCancelExternalWorkflowExecutionCommandAttributes?.Namespace, "RequestCancelWorkflowExecution"),
                _ => (null, ""),
            };
            if (string.IsNullOrEmpty(target) || target == completion.Namespace || !(checkedTargets ??= []).Add($"{target}:{api}"))
            {
                continue;
            }
            Check(claims, ApiMethods.WorkflowServicePrefix + api, target, context);
        }
    }

    /// <summary>The request's <c>namespace</c> field (Temporal's hasNamespace), or "" for a request without one.</summary>
    private static string NamespaceOf(IMessage request) =>
        NamespaceFields.GetOrAdd(request.Descriptor, d => d.FindFieldByName("namespace") is { FieldType: FieldType.String } f ? f : null)
            ?.Accessor.GetValue(request) as string ?? "";

    [LoggerMessage(EventId = 4121, Level = LogLevel.Warning, Message = "{Method} from {Peer}: bearer token refused: {Reason}")]
    private static partial void LogTokenRejected(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Debug, Message = "{Method} from {Peer}: no bearer token")]
    private static partial void LogNoToken(ILogger logger, string method, string peer);

    [LoggerMessage(EventId = 4123, Level = LogLevel.Debug, Message = "{Method} on namespace '{Namespace}' refused to {Subject}: the role it needs is missing")]
    private static partial void LogDenied(ILogger logger, string method, string @namespace, string subject);

    [LoggerMessage(EventId = 4124, Level = LogLevel.Warning, Message = "{Method} from {Peer} carries a wrong internal-caller header; authorizing it as any client")]
    private static partial void LogForgedInternalCaller(ILogger logger, string method, string peer);
}
