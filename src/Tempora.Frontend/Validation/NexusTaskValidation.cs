using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// PollNexusTaskQueue and RespondNexusTask* checked as Temporal 1.28's frontend checks them (workflow_handler.go), in
/// its words, plus what Tempora needs: an answer that carries nothing to hand to the caller is refused here.
/// </summary>
internal static class NexusTaskValidation
{
    /// <summary>component.nexusoperations.limit.operation.token.length, Temporal's default (bytes, as Go's len()).</summary>
    public const int MaxOperationTokenLength = 4096;

    /// <summary>The queue a poll names (tqid.NormalizeAndValidate), after which the identity's length.</summary>
    public static string Validate(PollNexusTaskQueueRequest request)
    {
        var name = TaskQueueRequestValidation.Validate(request.TaskQueue);
        if (request.Identity.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException("Identity length exceeds limit.");
        }
        return name;
    }

    /// <summary>The dispatch a completion answers (its task id), once the response is checked.</summary>
    public static string Validate(RespondNexusTaskCompletedRequest request)
    {
        if (request.Response?.StartOperation?.AsyncSuccess is { } async)
        {
#pragma warning disable CS0612 // operation_id: what older SDKs send instead of operation_token, as Temporal reads it
            var operationToken = string.IsNullOrEmpty(async.OperationToken) ? async.OperationId : async.OperationToken;
#pragma warning restore CS0612
            if (string.IsNullOrEmpty(operationToken))
            {
                throw new InvalidArgumentException("missing opration token in response"); // sic, Temporal's words
            }
            var length = Encoding.UTF8.GetByteCount(operationToken);
            if (length > MaxOperationTokenLength)
            {
                throw new InvalidArgumentException($"operation token length exceeds allowed limit ({length}/{MaxOperationTokenLength})");
            }
        }
        var taskId = TaskId(request.TaskToken);
        CheckDetails(request.Response?.StartOperation?.OperationError?.Failure);
        if (request.Response is null)
        {
            // Temporal passes an empty completion on and its caller fails with "empty outcome"; the dispatch here has
            // no outcome for "neither a response nor an error", so it is refused in the words of the failed call.
            throw new InvalidArgumentException("request must contain response");
        }
        return taskId;
    }

    /// <summary>The dispatch a failure answers (its task id), once the handler error is checked.</summary>
    public static string Validate(RespondNexusTaskFailedRequest request)
    {
        var taskId = TaskId(request.TaskToken);
        if (request.Error is null && request.Failure is null)
        {
            throw new InvalidArgumentException("request must contain error or failure"); // Temporal's words (1.29 on)
        }
        CheckDetails(request.Error?.Failure);
        if (request.Failure is not null && request.Failure.NexusHandlerFailureInfo is null)
        {
            // Temporal's words: the Temporal form of a handler error names its type there.
            throw new InvalidArgumentException("request Failure must contain error or failure with NexusHandlerFailureInfo");
        }
        return taskId;
    }

    /// <summary>
    /// The task id a Nexus task token carries (<see cref="Matching.Nexus.NexusTaskPoller"/>). Temporal answers an
    /// empty token, or one that names no task, "Invalid TaskToken."; a malformed one is refused as every token is.
    /// </summary>
    private static string TaskId(ByteString token)
    {
        if (token.IsEmpty)
        {
            throw new InvalidArgumentException("Invalid TaskToken.");
        }
        var taskId = TaskToken.Deserialize(token.Span).QueryId;
        if (string.IsNullOrEmpty(taskId))
        {
            throw new InvalidArgumentException("Invalid TaskToken."); // a workflow or activity task's token
        }
        return taskId;
    }

    /// <summary>A Nexus failure's details are JSON on the wire (the Nexus HTTP protocol carries them as such).</summary>
    private static void CheckDetails(Temporalio.Api.Nexus.V1.Failure? failure)
    {
        if (failure is null || failure.Details.IsEmpty)
        {
            return;
        }
        try
        {
            using var _ = JsonDocument.Parse(failure.Details.Memory);
        }
        catch (JsonException)
        {
            throw new InvalidArgumentException("failure details must be JSON serializable");
        }
    }
}
