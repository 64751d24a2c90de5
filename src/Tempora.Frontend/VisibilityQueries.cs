using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Visibility;
using Tempora.Persistence;
using Tempora.Visibility.Query;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Frontend;

/// <summary>List-filter compilation, page tokens and result rows shared by the visibility RPCs.</summary>
internal static class VisibilityQueries
{
    public const int DefaultPageSize = 1000;

    public static CompiledQuery Compile(string? query, NamespaceRecord ns, IVisibilityStore store, bool allowGroupBy = false)
    {
        try
        {
            return ListFilter.Compile(query, ns.CustomSearchAttributes, store.Dialect, store.Placeholder, allowGroupBy);
        }
        catch (InvalidQueryException e)
        {
            throw new InvalidArgumentException(e.Message);
        }
    }

    public static int PageSize(int requested) => requested <= 0 || requested > DefaultPageSize ? DefaultPageSize : requested;

    public static ByteString PageToken(VisibilityCursor? next) =>
        next is null ? ByteString.Empty : ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(next));

    public static VisibilityCursor? PageCursor(ByteString token)
    {
        if (token.IsEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<VisibilityCursor>(token.Span) ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw new InvalidArgumentException("Invalid NextPageToken.");
        }
    }

    /// <summary>A quoted string literal of the list-filter language (quotes doubled).</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Literal(Timestamp time) =>
        Literal(time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    public static WorkflowExecutionInfo Info(VisibilityRecord r, NamespaceRecord ns)
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

    private static SearchAttributes SearchAttributes(string? json, NamespaceRecord ns)
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

    public static IndexedValueType ToIndexed(SearchAttributeType type) => type switch
    {
        SearchAttributeType.Text => IndexedValueType.Text,
        SearchAttributeType.Keyword => IndexedValueType.Keyword,
        SearchAttributeType.Int => IndexedValueType.Int,
        SearchAttributeType.Double => IndexedValueType.Double,
        SearchAttributeType.Bool => IndexedValueType.Bool,
        SearchAttributeType.Datetime => IndexedValueType.Datetime,
        _ => IndexedValueType.KeywordList,
    };

    public static SearchAttributeType FromIndexed(IndexedValueType type) => type switch
    {
        IndexedValueType.Text => SearchAttributeType.Text,
        IndexedValueType.Keyword => SearchAttributeType.Keyword,
        IndexedValueType.Int => SearchAttributeType.Int,
        IndexedValueType.Double => SearchAttributeType.Double,
        IndexedValueType.Bool => SearchAttributeType.Bool,
        IndexedValueType.Datetime => SearchAttributeType.Datetime,
        IndexedValueType.KeywordList => SearchAttributeType.KeywordList,
        _ => throw new InvalidArgumentException($"Unable to read search attribute type: {type}."),
    };
}
