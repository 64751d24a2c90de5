using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>A run as the detail page sees it: DescribeWorkflowExecution plus its history, read page by page.</summary>
internal sealed record WorkflowRun(DescribeWorkflowExecutionResponse Description, IReadOnlyList<HistoryEvent> Events, bool Truncated)
{
    /// <summary>Past this many events the page shows the first ones and says so; the JSON download has them all.</summary>
    public const int MaxEventsShown = 10_000;

    public static async Task<WorkflowRun> LoadAsync(UiRequest request, string ns, string workflowId, string runId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var execution = new WorkflowExecution { WorkflowId = workflowId, RunId = runId };
        var description = await request.CallAsync<DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse>(
            new() { Namespace = ns, Execution = execution });
        var events = new List<HistoryEvent>();
        var truncated = false;
        await foreach (var page in HistoryPagesAsync(request, ns, execution))
        {
            events.AddRange(page.Events);
            if (events.Count >= MaxEventsShown)
            {
                truncated = true;
                break;
            }
        }
        return new WorkflowRun(description, events, truncated);
    }

    /// <summary>Every page of the run's history, in order.</summary>
    public static async IAsyncEnumerable<History> HistoryPagesAsync(UiRequest request, string ns, WorkflowExecution execution)
    {
        ArgumentNullException.ThrowIfNull(request);
        var historyRequest = new GetWorkflowExecutionHistoryRequest { Namespace = ns, Execution = execution, MaximumPageSize = 1000 };
        do
        {
            var page = await request.CallAsync<GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse>(historyRequest);
            yield return page.History ?? new History();
            historyRequest.NextPageToken = page.NextPageToken;
        }
        while (!historyRequest.NextPageToken.IsEmpty);
    }

    /// <summary>The event's attributes message (the one member of its <c>attributes</c> oneof that is set).</summary>
    public static IMessage? Attributes(HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);
        var oneof = HistoryEvent.Descriptor.Oneofs.First(o => o.Name == "attributes");
        return oneof.Accessor.GetCaseFieldDescriptor(historyEvent) is { } field ? field.Accessor.GetValue(historyEvent) as IMessage : null;
    }
}
