using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Tempora.Core.Errors;
using Tempora.Core.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// Refuses, with InvalidArgument naming the field, a Temporal API request carrying a string no store can hold (a NUL
/// character, an unpaired surrogate: <see cref="StorableStrings"/>). One walk of every request, so no RPC can forget
/// it; a NUL in a workflow type once answered OK and then blocked the PostgreSQL visibility outbox for everyone.
/// </summary>
internal sealed class StorableStringsInterceptor : Interceptor
{
    /// <summary>
    /// A completion's commands are checked by history instead, one by one: a bad command fails the workflow task with
    /// its own cause (BadStartChildExecutionAttributes …), as Temporal fails it for other invalid attributes.
    /// </summary>
    private static readonly FieldDescriptor Commands =
        RespondWorkflowTaskCompletedRequest.Descriptor.FindFieldByNumber(RespondWorkflowTaskCompletedRequest.CommandsFieldNumber);

    private static readonly Func<FieldDescriptor, bool> SkipCommands = field => field == Commands;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && context.Method.StartsWith("/temporal.api.", StringComparison.Ordinal)
            && StorableStrings.Find(message, message.Descriptor.Name, SkipCommands) is { } problem)
        {
            throw new InvalidArgumentException(problem.Message);
        }
        return continuation(request, context);
    }
}
