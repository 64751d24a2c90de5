using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using TemporalWorkflowService = Temporalio.Client.WorkflowService;

namespace Tempora.EndToEnd.Tests.Batch;

/// <summary>What the batch tests share: a namespace each, many workflows started at once, waits on visibility and
/// on a batch's end.</summary>
internal static class BatchTestKit
{
    /// <summary>Registers a fresh namespace (a namespace runs one batch at a time) and answers a client in it.</summary>
    public static async Task<TemporalClient> NamespaceClientAsync(TemporalClient client, string address)
    {
        var ns = $"batch-{Guid.NewGuid():N}";
        await client.WorkflowService.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = ns,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        });
        return await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(address) { Namespace = ns });
    }

    /// <summary>Starts <paramref name="count"/> workflows of a type no worker polls for: they stay running, and what
    /// a batch does to them shows in their histories.</summary>
    public static async Task<List<WorkflowHandle>> StartIdleAsync(TemporalClient client, string workflowType, int count)
    {
        var taskQueue = ServerFixture.NewTaskQueue("batch-idle");
        var handles = new List<WorkflowHandle>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(50))
        {
            handles.AddRange(await Task.WhenAll(chunk.Select(i =>
                client.StartWorkflowAsync(workflowType, [], new WorkflowOptions($"{workflowType}-{i}", taskQueue)))));
        }
        return handles;
    }

    /// <summary>Waits until visibility lists <paramref name="count"/> executions for the query (PostgreSQL applies
    /// visibility rows after their commit).</summary>
    public static Task WaitListedAsync(TemporalClient client, string query, long count) =>
        Wait.UntilAsync(async () => (await client.CountWorkflowsAsync(query)).Count, n => n == count, $"{count} executions listed for {query}",
            TimeSpan.FromSeconds(60));

    public static Task<DescribeBatchOperationResponse> DescribeAsync(TemporalClient client, string jobId) =>
        client.WorkflowService.DescribeBatchOperationAsync(new DescribeBatchOperationRequest { Namespace = client.Options.Namespace, JobId = jobId });

    /// <summary>Waits until the batch is no longer running and answers its description.</summary>
    public static Task<DescribeBatchOperationResponse> WaitClosedAsync(TemporalClient client, string jobId, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => DescribeAsync(client, jobId), d => d.State != BatchOperationState.Running, $"batch {jobId} to end",
            timeout ?? TimeSpan.FromSeconds(90));

    /// <summary>A start over the workflows <paramref name="query"/> selects; <paramref name="operation"/> sets its operation.</summary>
    public static StartBatchOperationRequest Start(TemporalClient client, string jobId, string query, Action<StartBatchOperationRequest> operation)
    {
        var request = new StartBatchOperationRequest
        {
            Namespace = client.Options.Namespace,
            JobId = jobId,
            VisibilityQuery = query,
            Reason = "batch test",
        };
        operation(request);
        return request;
    }

    public static TemporalWorkflowService Raw(this TemporalClient client) => client.WorkflowService;

    public static async Task<List<HistoryEvent>> EventsAsync(TemporalClient client, WorkflowHandle handle)
    {
        var events = new List<HistoryEvent>();
        await foreach (var e in client.GetWorkflowHandle(handle.Id, handle.ResultRunId).FetchHistoryEventsAsync())
        {
            events.Add(e);
        }
        return events;
    }
}
