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
        PermissionDeniedException => Build(StatusCode.PermissionDenied, e.Message, new PermissionDeniedFailure()),
        NamespaceNotFoundException nf => Build(StatusCode.NotFound, e.Message, new NamespaceNotFoundFailure { Namespace = nf.Namespace }),
        EntityNotFoundException => Build(StatusCode.NotFound, e.Message,
            new NotFoundFailure { CurrentCluster = ClusterName, ActiveCluster = ClusterName }),
        NamespaceAlreadyExistsException => Build(StatusCode.AlreadyExists, e.Message, new NamespaceAlreadyExistsFailure()),
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

    public static RpcException Build(StatusCode code, string message, IMessage? detail)
    {
        var trailers = new Metadata();
        if (detail is not null)
        {
            var status = new GrpcStatus { Code = (int)code, Message = message };
            status.Details.Add(Any.Pack(detail));
            trailers.Add("grpc-status-details-bin", status.ToByteArray());
        }
        return new RpcException(new Status(code, message), trailers);
    }
}
