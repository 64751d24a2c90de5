using Google.Protobuf;
using Grpc.Core;
using Tempora.Core.Loopback;
using Tempora.Core.Nexus;
using Tempora.History.Nexus;
using Temporalio.Api.Nexus.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Server;

/// <summary>
/// The system Nexus endpoint's operations, run through the frontend as the worker role's own calls (so they are
/// validated, routed to the owning replica and answered exactly as the RPC would be). Only signal-with-start exists:
/// what the SDKs send there today. Its request is a protobuf payload; the answer is one too.
/// </summary>
internal sealed class SystemNexusOperations(FrontendClient frontend) : ISystemNexusOperations
{
    public async Task<NexusTaskOutcome> StartAsync(string namespaceName, StartOperationRequest start, CancellationToken ct)
    {
        if (start.Service != SystemNexusEndpoint.WorkflowService || start.Operation != SystemNexusEndpoint.SignalWithStart)
        {
            return Error("NOT_FOUND", $"the system endpoint has no operation {start.Operation} in service {start.Service}");
        }
        SignalWithStartWorkflowExecutionRequest request;
        try
        {
            request = Decode(start.Payload);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            return Error("BAD_REQUEST", $"invalid input: {e.Message}");
        }
        if (string.IsNullOrEmpty(request.Namespace))
        {
            request.Namespace = namespaceName;
        }
        else if (request.Namespace != namespaceName)
        {
            return Error("BAD_REQUEST", $"the system endpoint serves only the caller's namespace {namespaceName}, not {request.Namespace}");
        }
        if (string.IsNullOrEmpty(request.RequestId))
        {
            request.RequestId = start.RequestId; // a retried start request must not signal twice
        }
        try
        {
            var response = await frontend.CallAsync<SignalWithStartWorkflowExecutionRequest, SignalWithStartWorkflowExecutionResponse>(request, ct);
            return new NexusTaskOutcome(new Response
            {
                StartOperation = new StartOperationResponse
                {
                    SyncSuccess = new StartOperationResponse.Types.Sync { Payload = Encode(response) },
                },
            }, null);
        }
        catch (RpcException e)
        {
            return Error(HandlerErrorType(e.StatusCode), e.Status.Detail);
        }
    }

    /// <summary>The request as the SDK's payload converter wrote it: protobuf JSON or binary, naming its message type.</summary>
    private static SignalWithStartWorkflowExecutionRequest Decode(Temporalio.Api.Common.V1.Payload? payload)
    {
        var encoding = payload?.Metadata.TryGetValue("encoding", out var e) == true ? e.ToStringUtf8() : "";
        return encoding switch
        {
            "json/protobuf" => JsonParser.Default.Parse<SignalWithStartWorkflowExecutionRequest>(payload!.Data.ToStringUtf8()),
            "binary/protobuf" => SignalWithStartWorkflowExecutionRequest.Parser.ParseFrom(payload!.Data),
            _ => throw new FormatException($"expected a json/protobuf or binary/protobuf payload, got \"{encoding}\""),
        };
    }

    private static Temporalio.Api.Common.V1.Payload Encode(IMessage message) => new()
    {
        Metadata =
        {
            ["encoding"] = ByteString.CopyFromUtf8("binary/protobuf"),
            ["messageType"] = ByteString.CopyFromUtf8(message.Descriptor.FullName),
        },
        Data = message.ToByteString(),
    };

    private static NexusTaskOutcome Error(string type, string message) =>
        new(null, new HandlerError { ErrorType = type, Failure = new Failure { Message = message } });

    /// <summary>A gRPC status as the Nexus handler error Temporal maps it to (common/nexus ConvertGRPCError).</summary>
    private static string HandlerErrorType(StatusCode code) => code switch
    {
        StatusCode.AlreadyExists or StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => "BAD_REQUEST",
        StatusCode.Aborted or StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.PermissionDenied => "UNAUTHORIZED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.Unimplemented => "NOT_IMPLEMENTED",
        StatusCode.DeadlineExceeded => "UPSTREAM_TIMEOUT",
        _ => "INTERNAL",
    };
}
