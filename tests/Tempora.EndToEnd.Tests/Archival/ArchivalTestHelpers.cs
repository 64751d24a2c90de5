using Google.Protobuf.WellKnownTypes;
using Tempora.Archival;
using Tempora.History;
using Tempora.Server;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests.Archival;

[Workflow]
public sealed class ArchivedWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string name)
    {
        var greeting = await Workflow.ExecuteActivityAsync(() => ArchivedActivities.Greet(name), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        return greeting;
    }
}

public static class ArchivedActivities
{
    [Activity]
    public static string Greet(string name) => $"hello {name}";
}

/// <summary>A server that archives (file:// and s3:// providers, reads on) and scans retention every second.</summary>
internal static class ArchivalTestHelpers
{
    public static Task<TemporaServer> StartAsync(TestDatabase database, string logName, Uri? s3Endpoint = null)
    {
        var kind = new ArchivalKindSettings
        {
            Enabled = true,
            EnableRead = true,
            FileStore = new FileStoreSettings(),
            S3Store = new S3StoreSettings("us-east-1", s3Endpoint?.ToString(), ForcePathStyle: true),
        };
        return ServerFixture.StartServerAsync(database.Apply(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            UiPort = 0,
            MetricsPort = 0,
            Headless = true,
            RetentionScanInterval = TimeSpan.FromSeconds(1),
            NamespaceRetention = new RetentionBounds { Minimum = TimeSpan.FromSeconds(1) },
            Archival = new ArchivalSettings { History = kind, Visibility = kind },
        }), logName);
    }

    /// <summary>Registers a namespace archiving history and visibility to <paramref name="uri"/>, retention 1 s.</summary>
    public static async Task RegisterAsync(TemporaServer server, string ns, string uri)
    {
        var admin = await ServerFixture.ConnectAsync(server);
        await admin.Connection.WorkflowService.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = ns,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            HistoryArchivalState = ArchivalState.Enabled,
            HistoryArchivalUri = uri,
            VisibilityArchivalState = ArchivalState.Enabled,
            VisibilityArchivalUri = uri,
        });
    }

    /// <summary>Runs one workflow to completion; returns its handle and the history it had while stored.</summary>
    public static async Task<(WorkflowHandle Handle, Temporalio.Common.WorkflowHistory History)> RunOneAsync(TemporalClient client, string workflowId)
    {
        var taskQueue = $"archival-{Guid.NewGuid():N}";
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<ArchivedWorkflow>().AddActivity(ArchivedActivities.Greet));
        return await worker.ExecuteAsync(async () =>
        {
            var handle = await client.StartWorkflowAsync((ArchivedWorkflow wf) => wf.RunAsync("archive"), new WorkflowOptions(workflowId, taskQueue));
            Assert.Equal("hello archive", await handle.GetResultAsync().WithTimeout("the workflow's result"));
            return (handle, await handle.FetchHistoryAsync());
        });
    }

    /// <summary>Whether the run is gone from the store (describe answers NotFound).</summary>
    public static async Task<bool> GoneAsync(WorkflowHandle handle)
    {
        try
        {
            await handle.DescribeAsync();
            return false;
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            return true;
        }
    }

    /// <summary>The archived history, page by page (3 events a page), through GetWorkflowExecutionHistory.</summary>
    public static async Task<List<HistoryEvent>> ArchivedEventsAsync(TemporalClient client, WorkflowHandle handle)
    {
        var events = new List<HistoryEvent>();
        var token = Google.Protobuf.ByteString.Empty;
        do
        {
            var page = await client.Connection.WorkflowService.GetWorkflowExecutionHistoryAsync(new GetWorkflowExecutionHistoryRequest
            {
                Namespace = client.Options.Namespace,
                Execution = new() { WorkflowId = handle.Id, RunId = handle.ResultRunId! },
                MaximumPageSize = 3,
                NextPageToken = token,
            });
            Assert.True(page.Archived);
            events.AddRange(page.History.Events);
            token = page.NextPageToken;
        }
        while (!token.IsEmpty);
        return events;
    }

    public static async Task<List<string>> ArchivedIdsAsync(TemporalClient client, string query)
    {
        var response = await client.Connection.WorkflowService.ListArchivedWorkflowExecutionsAsync(new ListArchivedWorkflowExecutionsRequest
        {
            Namespace = client.Options.Namespace,
            Query = query,
        });
        return response.Executions.Select(e => e.Execution.WorkflowId).ToList();
    }
}
