using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tempora.Core.Errors;
using Temporalio.Api.Common.V1;
using Temporalio.Api.ErrorDetails.V1;

namespace Tempora.Frontend;

/// <summary>
/// Builds every error the frontend returns: the gRPC status plus, for typed errors, exactly one
/// google.rpc.Status detail in the grpc-status-details-bin trailer, as SDKs decode it (temporal-compat.md §0.8, §6.1).
/// </summary>
public static class Errors
{
    private const string ClusterName = "active";

    public static RpcException From(TemporaException e) => e switch
    {
        InvalidArgumentException => Build(StatusCode.InvalidArgument, e.Message, null),
        UnimplementedException => Build(StatusCode.Unimplemented, e.Message, null),
        FailedPreconditionException => Build(StatusCode.FailedPrecondition, e.Message, null),
        PermissionDeniedException => Build(StatusCode.PermissionDenied, e.Message, new PermissionDeniedFailure()),
        NamespaceNotFoundException nf => Build(StatusCode.NotFound, e.Message, new NamespaceNotFoundFailure { Namespace = nf.Namespace }),
        NamespaceInvalidStateException ns => Build(StatusCode.FailedPrecondition, e.Message, new NamespaceInvalidStateFailure
        {
            Namespace = ns.Namespace,
            State = ns.State,
            AllowedStates = { ns.AllowedStates },
        }),
        EntityNotFoundException => Build(StatusCode.NotFound, e.Message,
            new NotFoundFailure { CurrentCluster = ClusterName, ActiveCluster = ClusterName }),
        NamespaceAlreadyExistsException => Build(StatusCode.AlreadyExists, e.Message, new NamespaceAlreadyExistsFailure()),
        AlreadyExistsException => Build(StatusCode.AlreadyExists, e.Message, null),
        WorkflowAlreadyStartedException ws => Build(StatusCode.AlreadyExists, e.Message, new WorkflowExecutionAlreadyStartedFailure
        {
            StartRequestId = ws.StartRequestId,
            RunId = ws.RunId,
        }),
        QueryFailedException qf => Build(StatusCode.InvalidArgument, e.Message, new QueryFailedFailure { Failure = qf.Failure }),
        WorkflowNotReadyException => Build(StatusCode.FailedPrecondition, e.Message, new WorkflowNotReadyFailure()),
        ResourceExhaustedException re => Build(StatusCode.ResourceExhausted, e.Message, new ResourceExhaustedFailure { Cause = re.Cause, Scope = re.Scope }),
        MultiOperationException mo => MultiOperation(From(mo.Error), mo.FailedOperation, mo.EarlierAborted),
        _ => Build(StatusCode.Unavailable, e.Message, null), // conflicts and other transient faults: clients retry
    };

    /// <summary>
    /// The error of update-with-start, as Temporal's serviceerror.MultiOperationExecution builds it: one status per
    /// operation in a MultiOperationExecutionFailure (those before <paramref name="failedOperation"/> OK, or ABORTED when
    /// <paramref name="earlierAborted"/>; those after it ABORTED with MultiOperationExecutionAborted), and the failed
    /// operation's own code as the code of the whole answer, which is what the SDKs raise (an ALREADY_EXISTS start
    /// becomes WorkflowAlreadyStartedException; an ABORTED answer would be retried by Core instead). The message is the
    /// frontend's (service/frontend/workflow_handler.go ExecuteMultiOperation).
    /// </summary>
    public static RpcException MultiOperation(RpcException error, int failedOperation, bool earlierAborted = false)
    {
        var failure = new MultiOperationExecutionFailure();
        for (var i = 0; i < 2; i++)
        {
            if (i == failedOperation)
            {
                var status = new MultiOperationExecutionFailure.Types.OperationStatus { Code = (int)error.StatusCode, Message = error.Status.Detail };
                if (error.Trailers.GetValueBytes("grpc-status-details-bin") is { } detailBytes)
                {
                    status.Details.Add(GrpcStatus.Parser.ParseFrom(detailBytes).Details);
                }
                failure.Statuses.Add(status);
            }
            else if (i < failedOperation && !earlierAborted)
            {
                failure.Statuses.Add(new MultiOperationExecutionFailure.Types.OperationStatus { Code = (int)StatusCode.OK });
            }
            else
            {
                failure.Statuses.Add(new MultiOperationExecutionFailure.Types.OperationStatus
                {
                    Code = (int)StatusCode.Aborted,
                    Message = "Operation was aborted.",
                    Details = { Any.Pack(new Temporalio.Api.Failure.V1.MultiOperationExecutionAborted()) },
                });
            }
        }
        return Build(error.StatusCode, "Update-with-Start could not be executed.", failure);
    }

    /// <summary>
    /// Longest status message sent. The message travels in the grpc-message trailer, percent-encoded (up to 9 bytes
    /// a character), and again in grpc-status-details-bin; a client drops the whole HTTP/2 connection, with every call
    /// on it, when a response's headers pass its limit (64 KiB in .NET's HttpClient). A message quoting a huge
    /// request field (a namespace or workflow id of a megabyte) must not do that.
    /// </summary>
    public const int MaxMessageLength = 2048;

    /// <summary>Largest grpc-status-details-bin sent (base64 in the trailer: 32 KiB); with the message, under 64 KiB.</summary>
    public const int MaxDetailBytes = 24 * 1024;

    /// <summary><paramref name="message"/>, cut to <see cref="MaxMessageLength"/> characters when longer.</summary>
    public static string Bounded(string message)
    {
        if (message.Length <= MaxMessageLength)
        {
            return message;
        }
        var cut = char.IsHighSurrogate(message[MaxMessageLength - 1]) ? MaxMessageLength - 1 : MaxMessageLength;
        return string.Concat(message.AsSpan(0, cut), "… (truncated)");
    }

    /// <summary>The same error with its message (and the message of its status detail) cut to <see cref="MaxMessageLength"/>.</summary>
    public static RpcException Bounded(RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Status.Detail.Length <= MaxMessageLength)
        {
            return e;
        }
        var trailers = new Metadata();
        foreach (var entry in e.Trailers)
        {
            if (entry.Key == "grpc-status-details-bin")
            {
                var status = GrpcStatus.Parser.ParseFrom(entry.ValueBytes);
                status.Message = Bounded(status.Message);
                trailers.Add(entry.Key, status.ToByteArray());
            }
            else
            {
                trailers.Add(entry);
            }
        }
        return new RpcException(new Status(e.StatusCode, Bounded(e.Status.Detail)), trailers);
    }

    public static RpcException Build(StatusCode code, string message, IMessage? detail)
    {
        message = Bounded(message);
        var trailers = new Metadata();
        if (detail is not null)
        {
            var status = new GrpcStatus { Code = (int)code, Message = message };
            status.Details.Add(Any.Pack(detail));
            var bytes = status.ToByteArray();
            // A detail quoting a huge request field (a namespace name of a megabyte) is left out: the code and message
            // still say what happened, and the answer stays readable (see MaxMessageLength).
            if (bytes.Length <= MaxDetailBytes)
            {
                trailers.Add("grpc-status-details-bin", bytes);
            }
        }
        return new RpcException(new Status(code, message), trailers);
    }
}
