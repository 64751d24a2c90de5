using Google.Protobuf;
using Grpc.Core;

namespace Tempora.Frontend.Validation;

/// <summary>
/// Request bytes that are not the method's message. Grpc.AspNetCore deserializes a request before any interceptor runs,
/// and reports an exception from the deserializer as Unknown with an error-level stack trace per request; an
/// RpcException thrown there keeps its status and is logged at information by the framework's own category (which
/// Tempora filters to warnings). So the marshaller itself answers InvalidArgument: bad bytes are the client's fault
/// (grpc-go, under Temporal, answers Internal "grpc: error unmarshalling request").
/// </summary>
internal static class MalformedRequests
{
    public static TRequest Parse<TRequest>(MessageParser<TRequest> parser, byte[] bytes) where TRequest : IMessage<TRequest>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"The request is not a valid {typeof(TRequest).Name} message: {e.Message}"));
        }
    }
}
