using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Visibility;

/// <summary>A visibility row as the list RPCs answer it.</summary>
internal static class WorkflowExecutionInfos
{
    public static WorkflowExecutionInfo From(VisibilityRecord r, VisibilityNamespace ns)
    {
        var info = new WorkflowExecutionInfo
        {
            Execution = new WorkflowExecution { WorkflowId = r.WorkflowId, RunId = r.RunId },
            Type = new WorkflowType { Name = r.WorkflowType },
            StartTime = Timestamp.FromDateTimeOffset(r.StartTime),
            ExecutionTime = Timestamp.FromDateTimeOffset(r.ExecutionTime),
            CloseTime = r.CloseTime is { } close ? Timestamp.FromDateTimeOffset(close) : null,
            Status = (WorkflowExecutionStatus)r.Status,
            HistoryLength = r.HistoryLength,
            HistorySizeBytes = r.HistorySizeBytes,
            StateTransitionCount = r.StateTransitionCount,
            TaskQueue = r.TaskQueue,
            Memo = r.Memo is null ? new Memo() : Memo.Parser.ParseFrom(r.Memo),
            SearchAttributes = SearchAttributes(r.SearchAttributesJson, ns),
            ExecutionDuration = r.ExecutionDurationNanos is { } ns2 ? Duration.FromTimeSpan(TimeSpan.FromTicks(ns2 / 100)) : null,
            RootExecution = new WorkflowExecution { WorkflowId = r.RootWorkflowId, RunId = r.RootRunId },
        };
        if (r.ParentWorkflowId is not null)
        {
            info.ParentExecution = new WorkflowExecution { WorkflowId = r.ParentWorkflowId, RunId = r.ParentRunId ?? "" };
        }
        return info;
    }

    /// <summary>The row's search attributes as typed payloads (those still registered in the namespace).</summary>
    public static SearchAttributes SearchAttributes(string? json, VisibilityNamespace ns)
    {
        var result = new SearchAttributes();
        if (json is null)
        {
            return result;
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (SearchAttributeValues.TypeOf(property.Name, ns.CustomSearchAttributes) is { } type)
            {
                result.IndexedFields[property.Name] = SearchAttributeValues.Typed(property.Value.GetRawText(), type);
            }
        }
        return result;
    }
}
