using Google.Protobuf;
using Tempora.Core;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Matching.Nexus;

/// <summary>
/// A worker's poll of a Nexus task queue on this process: waits for a task and answers it with the request and a task
/// token. The token is a <see cref="TaskToken"/> naming the CALLER's run and operation, with the dispatch's task id
/// in <see cref="TaskToken.QueryId"/>, so that the worker's answer is routed to the process owning the caller's shard,
/// where the dispatch waits (Temporal's Nexus token names the handler's queue instead, as its matching host holds the
/// dispatch).
/// </summary>
public sealed class NexusTaskPoller(MatchingEngine matching, TimeProvider time)
{
    /// <summary>The header telling the worker how long the caller waits (nexus.HeaderRequestTimeout).</summary>
    public const string RequestTimeoutHeader = "request-timeout";

    /// <summary>The same, as the Java SDK reads it; Temporal 1.28 sends both.</summary>
    public const string RequestTimeoutHeaderJava = "Request-Timeout";

    /// <summary>The next Nexus task before <paramref name="deadline"/>, as the poll's answer; null for an empty poll.</summary>
    public async Task<PollNexusTaskQueueResponse?> PollAsync(TaskQueueKey queue, Poller poller, DateTimeOffset deadline, CancellationToken ct)
    {
        while (true)
        {
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }
            MatchingTask? task;
            try
            {
                task = await matching.PollAsync(queue, poller, remaining, ct);
            }
            catch (OperationCanceledException)
            {
                return null; // the worker went away, or another process answered the poll; nothing was handed out
            }
            if (task is null)
            {
                return null;
            }
            // A task whose dispatch already ended (timed out just as it was matched) is nobody's: look for the next.
            if (task.Nexus is { } nexus && nexus.TryClaim())
            {
                return Answer(nexus);
            }
        }
    }

    private PollNexusTaskQueueResponse Answer(Core.Nexus.QueuedNexusTask nexus)
    {
        var task = nexus.Task;
        var token = new TaskToken(task.Caller.NamespaceId, task.Caller.WorkflowId, task.Caller.RunId, task.ScheduledEventId, Attempt: 0,
            StartedEventId: 0, StartedTimeTicks: 0, ActivityId: "", QueryId: nexus.Id);
        var request = task.Request.Clone();
        var left = GoDuration.Format(nexus.Deadline - time.GetUtcNow());
        request.Header[RequestTimeoutHeader] = left;
        request.Header[RequestTimeoutHeaderJava] = left;
        return new PollNexusTaskQueueResponse { TaskToken = ByteString.CopyFrom(token.Serialize()), Request = request };
    }
}
