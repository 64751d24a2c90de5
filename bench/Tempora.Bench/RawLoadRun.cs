using System.Diagnostics;
using Grpc.Core;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Converters;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// The raw load mode (<c>--raw</c>): client and worker over plain gRPC, without the SDK's replay machinery, so that
/// the driver's own CPU per workflow is a fraction of the SDK's and the server's ceiling shows. The client starts
/// workflows as the SDK does (with request_eager_execution under --eager-start, when a workflow task slot is free)
/// and waits for each result as the SDK does: GetWorkflowExecutionHistory with wait_new_event and the close-event
/// filter, again after each empty long poll.
/// </summary>
internal static class RawLoadRun
{
    public static async Task<int> RunAsync(BenchOptions o, CancellationToken ct)
    {
        var runId = LoadRun.RunId();
        var taskQueue = o.TaskQueue ?? $"bench-raw-{runId}";
        Log($"connecting to {o.Address} (namespace {o.Namespace}, raw gRPC)");
        using var service = new RawService(o.Address, o.Gzip);
        await ConnectAsync(service, o, ct);
        var serverStartRssKb = o.ServerPid is { } spid ? ProcFs.ReadMemory(spid)?.RssKb : null;

        var worker = new RawWorker(service, o, taskQueue);
        worker.Start();
        var converter = DataConverter.Default.PayloadConverter;

        async Task<Task<string>> StartAsync(string id, string payload, CancellationToken token)
        {
            var eager = o.EagerStart && worker.TryReserveWorkflowSlot();
            var request = new StartWorkflowExecutionRequest
            {
                Namespace = o.Namespace,
                WorkflowId = id,
                WorkflowType = new WorkflowType { Name = BenchWorkflow.Name },
                TaskQueue = worker.NormalQueue,
                Input = new Payloads { Payloads_ = { converter.ToPayload(new BenchInput(payload, o.Activities)) } },
                Identity = RawWorker.Identity,
                RequestId = Guid.NewGuid().ToString(),
                RequestEagerExecution = eager,
            };
            StartWorkflowExecutionResponse response;
            try
            {
                response = await service.StartWorkflowExecutionAsync(request, token);
            }
            catch
            {
                if (eager)
                {
                    worker.ReleaseWorkflowSlot();
                }
                throw;
            }
            if (eager)
            {
                if (response.EagerWorkflowTask is { TaskToken.IsEmpty: false } first)
                {
                    _ = worker.HandleWorkflowTaskAsync(first); // releases the slot
                }
                else
                {
                    worker.ReleaseWorkflowSlot();
                }
            }
            return ResultAsync(service, o, id, response.RunId, token);
        }

        async Task<IReadOnlyList<HistoryEvent>> HistoryAsync(string id, CancellationToken token)
        {
            var events = new List<HistoryEvent>();
            var request = new GetWorkflowExecutionHistoryRequest { Namespace = o.Namespace, Execution = new WorkflowExecution { WorkflowId = id } };
            // Bounded: a closed workflow's history is finite; the last page has no token.
            do
            {
                var page = await service.GetWorkflowExecutionHistoryAsync(request, token);
                events.AddRange(page.History?.Events ?? []);
                request.NextPageToken = page.NextPageToken;
            }
            while (!request.NextPageToken.IsEmpty);
            return events;
        }

        var (normal, sticky) = RawWorker.WorkflowPollers(o.WorkflowTaskPollers);
        var driver = new LoadDriver("raw", StartAsync, HistoryAsync, new()
        {
            ["max_concurrent_workflow_tasks"] = o.MaxConcurrentWorkflowTasks,
            ["max_concurrent_activities"] = o.MaxConcurrentActivities,
            ["workflow_task_pollers"] = o.WorkflowTaskPollers,
            ["workflow_task_pollers_normal_sticky"] = $"{normal}/{sticky}",
            ["activity_task_pollers"] = o.ActivityTaskPollers,
            ["sticky_queue"] = true,
        }, "none: raw gRPC (Grpc.Net.Client) over the Temporalio package's message types",
            () => worker.FirstError is { } e ? $"worker ({worker.Errors} errors): {e}" : null);
        try
        {
            var line = await Measurement.MeasureAsync(o, driver, runId, serverStartRssKb, ct);
            line["worker_errors"] = worker.Errors;
            return LoadRun.Print(line, o);
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    /// <summary>The workflow's result, as the SDK waits for it: long polls for the close event until it comes.</summary>
    private static async Task<string> ResultAsync(RawService service, BenchOptions o, string id, string runId, CancellationToken ct)
    {
        var request = new GetWorkflowExecutionHistoryRequest
        {
            Namespace = o.Namespace,
            Execution = new WorkflowExecution { WorkflowId = id, RunId = runId },
            WaitNewEvent = true,
            HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
            SkipArchival = true,
        };
        // Bounded by ct (the run's deadline): each iteration is one long poll with its own deadline.
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            GetWorkflowExecutionHistoryResponse response;
            try
            {
                response = await service.GetWorkflowExecutionHistoryAsync(request, ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded && !ct.IsCancellationRequested)
            {
                continue;
            }
            if (response.History is { Events.Count: > 0 } history)
            {
                var close = history.Events[^1];
                return close.EventType == EventType.WorkflowExecutionCompleted
                    ? DataConverter.Default.PayloadConverter.ToValue<string>(close.WorkflowExecutionCompletedEventAttributes.Result.Payloads_[0])
                    : throw new InvalidOperationException($"workflow {id} closed with {close.EventType}");
            }
            request.NextPageToken = response.NextPageToken;
        }
    }

    private static async Task ConnectAsync(RawService service, BenchOptions o, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await service.GetSystemInfoAsync(ct);
                return;
            }
            catch (RpcException e)
            {
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(o.ConnectTimeoutS))
                {
                    throw new TimeoutException($"No Temporal server answered at {o.Address} within {o.ConnectTimeoutS} s ({attempt} attempts): {e.Message}", e);
                }
            }
            await Task.Delay(100, ct);
        }
    }
}
