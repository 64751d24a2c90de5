using System.Text.Json;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Tempora.History.Execution;

namespace Tempora.History.Nexus;

/// <summary>
/// How Nexus outcomes become Temporal failures in the caller's history, the way Temporal 1.28 converts them
/// (components/nexusoperations executors and common/nexus/failure.go): a handler error becomes a
/// NexusHandlerFailureInfo failure, an unsuccessful operation the failure its handler sent, and what ends the
/// operation is wrapped in a NexusOperationFailureInfo failure naming the operation.
/// </summary>
internal static class NexusFailures
{
    /// <summary>The metadata type of a Nexus failure whose details are a Temporal Failure in protobuf JSON.</summary>
    public const string TemporalFailureType = "temporal.api.failure.v1.Failure";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>The failure of a NexusOperationFailed/Canceled/TimedOut event: the operation, caused by <paramref name="cause"/>.</summary>
    public static Failure OperationFailure(NexusOperationInfo op, Failure cause) => new()
    {
        Message = "nexus operation completed unsuccessfully",
        NexusOperationExecutionFailureInfo = new NexusOperationFailureInfo
        {
            Endpoint = op.Endpoint,
            Service = op.Service,
            Operation = op.Operation,
            OperationId = op.OperationToken,
            OperationToken = op.OperationToken,
            ScheduledEventId = op.ScheduledEventId,
        },
        Cause = cause,
    };

    /// <summary>Whether a handler error may be retried: its retry behavior if it says, else by its type.</summary>
    public static bool IsRetryable(Temporalio.Api.Nexus.V1.HandlerError error) => error.RetryBehavior switch
    {
        NexusHandlerErrorRetryBehavior.Retryable => true,
        NexusHandlerErrorRetryBehavior.NonRetryable => false,
        _ => error.ErrorType is not ("BAD_REQUEST" or "UNAUTHENTICATED" or "UNAUTHORIZED" or "NOT_FOUND" or "NOT_IMPLEMENTED"),
    };

    /// <summary>Whether a handler error in Temporal form may be retried, by the same rule.</summary>
    public static bool IsRetryable(NexusHandlerFailureInfo info) => IsRetryable(new Temporalio.Api.Nexus.V1.HandlerError
    {
        ErrorType = info.Type,
        RetryBehavior = info.RetryBehavior,
    });

    /// <summary>A handler error as Temporal records it (message "handler error (TYPE): cause").</summary>
    public static Failure HandlerError(Temporalio.Api.Nexus.V1.HandlerError error)
    {
        var type = string.IsNullOrEmpty(error.ErrorType) ? "INTERNAL" : error.ErrorType;
        var retryable = IsRetryable(error);
        var cause = error.Failure is { } f ? FromNexusFailure(f, retryable) : Application("unknown cause", "", retryable);
        return new Failure
        {
            Message = $"handler error ({type}): {cause.Message}",
            NexusHandlerFailureInfo = new NexusHandlerFailureInfo { Type = type, RetryBehavior = error.RetryBehavior },
            Cause = cause,
        };
    }

    /// <summary>A handler error the server itself raises (no handler answered, an endpoint gone…).</summary>
    public static Failure HandlerError(string type, string message, bool retryable) => HandlerError(new Temporalio.Api.Nexus.V1.HandlerError
    {
        ErrorType = type,
        Failure = new Temporalio.Api.Nexus.V1.Failure { Message = message },
        RetryBehavior = retryable ? NexusHandlerErrorRetryBehavior.Retryable : NexusHandlerErrorRetryBehavior.NonRetryable,
    });

    /// <summary>
    /// The failure of an operation that ended unsuccessfully (failed or canceled): a Temporal failure the handler sent
    /// in Nexus form is taken back as it was; anything else becomes an application failure ("NexusFailure"), or a
    /// canceled failure for a canceled operation.
    /// </summary>
    public static Failure UnsuccessfulOperation(Temporalio.Api.Nexus.V1.Failure? failure, bool canceled)
    {
        failure ??= new Temporalio.Api.Nexus.V1.Failure();
        if (canceled)
        {
            if (IsTemporalFailure(failure) && FromNexusFailure(failure, retryable: false) is { CanceledFailureInfo: not null } temporal)
            {
                return temporal;
            }
            return new Failure
            {
                Message = failure.Message,
                CanceledFailureInfo = new CanceledFailureInfo { Details = MetadataPayloads(failure) },
            };
        }
        return FromNexusFailure(failure, retryable: false);
    }

    /// <summary>Temporal's NexusFailureToAPIFailure.</summary>
    public static Failure FromNexusFailure(Temporalio.Api.Nexus.V1.Failure failure, bool retryable)
    {
        Failure result;
        if (IsTemporalFailure(failure))
        {
            try
            {
                result = Parser.Parse<Failure>(failure.Details.ToStringUtf8());
            }
            catch (InvalidProtocolBufferException)
            {
                result = Application("", "NexusFailure", retryable, MetadataPayloads(failure));
            }
        }
        else
        {
            result = Application("", "NexusFailure", retryable, MetadataPayloads(failure));
        }
        result.Message = failure.Message;
        return result;
    }

    /// <summary>A Temporal failure in Nexus form (Temporal's APIFailureToNexusFailure): the message apart, the rest as JSON.</summary>
    public static Temporalio.Api.Nexus.V1.Failure ToNexusFailure(Failure failure)
    {
        var copy = failure.Clone();
        copy.Message = "";
        return new Temporalio.Api.Nexus.V1.Failure
        {
            Message = failure.Message,
            Metadata = { ["type"] = TemporalFailureType },
            Details = ByteString.CopyFromUtf8(JsonFormatter.Default.Format(copy)),
        };
    }

    private static bool IsTemporalFailure(Temporalio.Api.Nexus.V1.Failure failure) =>
        failure.Metadata.TryGetValue("type", out var type) && type == TemporalFailureType;

    private static Failure Application(string message, string type, bool retryable, Payloads? details = null) => new()
    {
        Message = message,
        ApplicationFailureInfo = new ApplicationFailureInfo { Type = type, NonRetryable = !retryable, Details = details },
    };

    /// <summary>A Nexus failure's metadata and details as one json/plain payload, as Temporal keeps them.</summary>
    private static Payloads? MetadataPayloads(Temporalio.Api.Nexus.V1.Failure failure)
    {
        if (failure.Metadata.Count == 0 && failure.Details.IsEmpty)
        {
            return null;
        }
        var json = new Dictionary<string, object?>();
        if (failure.Metadata.Count > 0)
        {
            json["metadata"] = failure.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        if (!failure.Details.IsEmpty)
        {
            try
            {
                json["details"] = JsonDocument.Parse(failure.Details.Memory).RootElement;
            }
            catch (JsonException)
            {
                json["details"] = failure.Details.ToBase64();
            }
        }
        return new Payloads
        {
            Payloads_ =
            {
                new Payload
                {
                    Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
                    Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(json)),
                },
            },
        };
    }
}
