using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Converters;

namespace Tempora.EndToEnd.Tests;

/// <summary>Bounded waiting helpers: every wait has a deadline and says what it was waiting for.</summary>
internal static class Wait
{
    /// <summary>Upper bound for a single wait; generous because the first workflow in a process pays JIT and SDK start-up.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Awaits <paramref name="task"/> or fails with a message naming <paramref name="what"/>.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting for {what}", e);
        }
    }

    /// <summary>Awaits <paramref name="task"/> or fails with a message naming <paramref name="what"/>.</summary>
    public static async Task WithTimeout(this Task task, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting for {what}", e);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds, then returns the last value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting for {what}; last value: {last}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls the workflow history until it holds an event of type <paramref name="type"/>.</summary>
    public static Task<IReadOnlyList<HistoryEvent>> ForHistoryEventAsync(WorkflowHandle handle, EventType type, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return UntilAsync(
            () => handle.EventsAsync(),
            events => events.Any(e => e.EventType == type),
            $"{type} in history of {handle.Id}",
            timeout);
    }
}

/// <summary>History helpers.</summary>
internal static class HistoryExtensions
{
    /// <summary>All events of the workflow's (current) run.</summary>
    public static async Task<IReadOnlyList<HistoryEvent>> EventsAsync(this WorkflowHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var history = await handle.FetchHistoryAsync();
        return history.Events.ToList();
    }

    /// <summary>The raw DescribeWorkflowExecution response (pending activities, etc.).</summary>
    public static Task<DescribeWorkflowExecutionResponse> DescribeRawAsync(this WorkflowHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return handle.Client.Connection.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
        {
            Namespace = handle.Client.Options.Namespace,
            Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = handle.Id, RunId = handle.RunId ?? string.Empty },
        });
    }

    /// <summary>The event types, in order.</summary>
    public static IReadOnlyList<EventType> Types(this IEnumerable<HistoryEvent> events) => events.Select(e => e.EventType).ToList();
}

/// <summary>File system helpers.</summary>
internal static class TestFiles
{
    /// <summary>Creates a fresh temp directory.</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tempora-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes a directory, ignoring failures (e.g. a file still held open).</summary>
    public static void TryDeleteDirectory(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}

/// <summary>Plays the worker side of the workflow task protocol through the raw gRPC service (no SDK worker).</summary>
internal static class RawWorker
{
    /// <summary>Identity the raw polls and responses carry.</summary>
    public const string Identity = "e2e-raw-worker";

    /// <summary>A NORMAL-kind task queue reference.</summary>
    public static Temporalio.Api.TaskQueue.V1.TaskQueue NormalQueue(string name) => new() { Name = name, Kind = TaskQueueKind.Normal };

    /// <summary>One raw PollWorkflowTaskQueue call with the given client deadline (the server answers empty ~1 s before it).</summary>
    public static Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskAsync(
        TemporalClient client, string taskQueue, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.Connection.WorkflowService.PollWorkflowTaskQueueAsync(
            new PollWorkflowTaskQueueRequest { Namespace = client.Options.Namespace, TaskQueue = NormalQueue(taskQueue), Identity = Identity },
            new RpcOptions { Timeout = timeout ?? TimeSpan.FromSeconds(10), CancellationToken = cancellationToken });
    }

    /// <summary>A RespondWorkflowTaskCompleted request carrying <paramref name="commands"/> in order.</summary>
    public static RespondWorkflowTaskCompletedRequest Completion(ByteString token, params Command[] commands)
    {
        var request = new RespondWorkflowTaskCompletedRequest { Namespace = "default", TaskToken = token, Identity = Identity };
        request.Commands.AddRange(commands);
        return request;
    }

    /// <summary>A RespondWorkflowTaskFailed request as Core sends it for an exception in workflow code.</summary>
    public static RespondWorkflowTaskFailedRequest Failure(ByteString token, string message) => new()
    {
        Namespace = "default",
        TaskToken = token,
        Identity = Identity,
        Cause = WorkflowTaskFailedCause.WorkflowWorkerUnhandledFailure,
        Failure = new Temporalio.Api.Failure.V1.Failure { Message = message, ApplicationFailureInfo = new() { Type = "RawFailure" } },
    };

    /// <summary>CompleteWorkflowExecution with a JSON string result.</summary>
    public static Command CompleteCommand(string result) => new()
    {
        CommandType = CommandType.CompleteWorkflowExecution,
        CompleteWorkflowExecutionCommandAttributes = new CompleteWorkflowExecutionCommandAttributes
        {
            Result = new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(result) } },
        },
    };

    /// <summary>StartTimer with the given id and duration.</summary>
    public static Command TimerCommand(string timerId, TimeSpan after) => new()
    {
        CommandType = CommandType.StartTimer,
        StartTimerCommandAttributes = new StartTimerCommandAttributes { TimerId = timerId, StartToFireTimeout = Duration.FromTimeSpan(after) },
    };
}
