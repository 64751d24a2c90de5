namespace Tempora.Core.Errors;

/// <summary>Base of the domain errors the engine throws; only the frontend maps them to gRPC.</summary>
public abstract class TemporaException(string message) : Exception(message);

/// <summary>A request was malformed or violated a limit (gRPC InvalidArgument).</summary>
public sealed class InvalidArgumentException(string message) : TemporaException(message);

/// <summary>The request asks for something this server does not do (gRPC Unimplemented); the message names it.</summary>
public sealed class UnimplementedException(string message) : TemporaException(message);

/// <summary>The request is not allowed in this form (gRPC PermissionDenied), where Temporal answers so too.</summary>
public sealed class PermissionDeniedException(string message) : TemporaException(message);

/// <summary>The request's precondition does not hold, e.g. a schedule's conflict token (gRPC FailedPrecondition).</summary>
public sealed class FailedPreconditionException(string message) : TemporaException(message);

/// <summary>A workflow, run, task or activity does not exist or no longer accepts the call (gRPC NotFound).</summary>
public sealed class EntityNotFoundException(string message) : TemporaException(message);

/// <summary>The namespace does not exist (gRPC NotFound with NamespaceNotFoundFailure).</summary>
public sealed class NamespaceNotFoundException(string name) : TemporaException($"Namespace {name} is not found.")
{
    public string Namespace { get; } = name;
}

/// <summary>RegisterNamespace on a name that is taken (gRPC AlreadyExists).</summary>
public sealed class NamespaceAlreadyExistsException(string name) : TemporaException($"Namespace already exists: {name}.");

/// <summary>The entity to create exists already (gRPC AlreadyExists without a detail, as Temporal's plain
/// serviceerror.AlreadyExists), e.g. a Nexus endpoint's name.</summary>
public sealed class AlreadyExistsException(string message) : TemporaException(message);

/// <summary>A start conflicts with an existing run (gRPC AlreadyExists with WorkflowExecutionAlreadyStartedFailure).</summary>
public sealed class WorkflowAlreadyStartedException(string message, string startRequestId, string runId, string firstExecutionRunId,
    bool running = false)
    : TemporaException(message)
{
    /// <summary>Refused because that run was running (not because of the id reuse policy).</summary>
    public bool Running { get; } = running;

    public string StartRequestId { get; } = startRequestId;
    public string RunId { get; } = runId;
    public string FirstExecutionRunId { get; } = firstExecutionRunId;
}

/// <summary>A query handler failed in the worker (gRPC InvalidArgument with QueryFailedFailure).</summary>
public sealed class QueryFailedException(string message, Temporalio.Api.Failure.V1.Failure? failure) : TemporaException(message)
{
    public Temporalio.Api.Failure.V1.Failure? Failure { get; } = failure;
}

/// <summary>The workflow cannot serve the request yet (gRPC FailedPrecondition with WorkflowNotReadyFailure).</summary>
public sealed class WorkflowNotReadyException(string message) : TemporaException(message);

/// <summary>A transient conflict; the client should retry (gRPC Unavailable).</summary>
public sealed class UnavailableException(string message) : TemporaException(message);

/// <summary>Too much at once for one workflow or queue (gRPC ResourceExhausted).</summary>
public sealed class ResourceExhaustedException(string message, Temporalio.Api.Enums.V1.ResourceExhaustedCause cause,
    Temporalio.Api.Enums.V1.ResourceExhaustedScope scope = Temporalio.Api.Enums.V1.ResourceExhaustedScope.Unspecified) : TemporaException(message)
{
    public Temporalio.Api.Enums.V1.ResourceExhaustedCause Cause { get; } = cause;

    public Temporalio.Api.Enums.V1.ResourceExhaustedScope Scope { get; } = scope;
}

/// <summary>The execution row changed under us: optimistic concurrency lost; reload and retry.</summary>
public sealed class ExecutionConditionFailedException(WorkflowKey key, long expectedDbVersion)
    : TemporaException($"Execution {key} changed concurrently (expected db version {expectedDbVersion}).");

/// <summary>The current-run pointer of a workflow id is not what the writer expected.</summary>
public sealed class CurrentExecutionConditionFailedException(string workflowId)
    : TemporaException($"Current run of workflow {workflowId} changed concurrently.");

/// <summary>
/// The namespace is in a state the request is not allowed in, e.g. Deleted (gRPC FailedPrecondition with
/// NamespaceInvalidStateFailure), in the words of Temporal's namespace validator.
/// </summary>
public sealed class NamespaceInvalidStateException(
    string name, Temporalio.Api.Enums.V1.NamespaceState state, IReadOnlyList<Temporalio.Api.Enums.V1.NamespaceState> allowed)
    : TemporaException($"Namespace has invalid state: {StateName(state)}. Must be {string.Join(" or ", allowed.Select(StateName))}.")
{
    public string Namespace { get; } = name;

    public Temporalio.Api.Enums.V1.NamespaceState State { get; } = state;

    public IReadOnlyList<Temporalio.Api.Enums.V1.NamespaceState> AllowedStates { get; } = allowed;

    /// <summary>The state as Temporal's Go API prints it ("Registered", "Deprecated", "Deleted").</summary>
    private static string StateName(Temporalio.Api.Enums.V1.NamespaceState state) => state.ToString();
}
