using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Schedules;

/// <summary>The StartWorkflowExecution request for one buffered start, built as Temporal's scheduler builds it.</summary>
internal static class ScheduledStartRequest
{
    public const string ScheduledByIdAttribute = "TemporalScheduledById";
    public const string ScheduledStartTimeAttribute = "TemporalScheduledStartTime";

    public static StartWorkflowExecutionRequest Build(
        ScheduleState state, BufferedStart start, NewWorkflowExecutionInfo action, ScheduleOverlapPolicy policy)
    {
        var nominal = TruncateToSeconds(start.Nominal);
        // Allow-all runs are not watched, so they neither receive nor produce a last result (as upstream).
        var carry = policy != ScheduleOverlapPolicy.AllowAll;
        return new StartWorkflowExecutionRequest
        {
            Namespace = state.Namespace,
            WorkflowId = WorkflowId(action.WorkflowId, nominal),
            WorkflowType = action.WorkflowType?.Clone(),
            TaskQueue = action.TaskQueue?.Clone(),
            Input = action.Input?.Clone(),
            WorkflowExecutionTimeout = action.WorkflowExecutionTimeout?.Clone(),
            WorkflowRunTimeout = action.WorkflowRunTimeout?.Clone(),
            WorkflowTaskTimeout = action.WorkflowTaskTimeout?.Clone(),
            Identity = $"temporal-scheduler-{state.Namespace}-{state.ScheduleId}",
            RequestId = RequestId(state, start),
            // A due time runs once even if the start is retried after its run closed; a manual start may repeat one.
            WorkflowIdReusePolicy = start.Manual ? WorkflowIdReusePolicy.AllowDuplicate : WorkflowIdReusePolicy.RejectDuplicate,
            RetryPolicy = action.RetryPolicy?.Clone(),
            Memo = action.Memo?.Clone(),
            SearchAttributes = WithScheduleAttributes(action.SearchAttributes, state.ScheduleId, nominal),
            Header = action.Header?.Clone(),
            LastCompletionResult = carry ? state.LastCompletionResult?.Clone() : null,
            ContinuedFailure = carry ? state.ContinuedFailure?.Clone() : null,
            UserMetadata = action.UserMetadata?.Clone(),
            Priority = action.Priority?.Clone(),
            VersioningOverride = action.VersioningOverride?.Clone(),
        };
    }

    /// <summary>The action's workflow id and the nominal time in whole UTC seconds, RFC 3339 ("id-2024-05-01T10:00:00Z").</summary>
    public static string WorkflowId(string actionWorkflowId, DateTimeOffset nominal) =>
        actionWorkflowId + "-" + TruncateToSeconds(nominal).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// A UUID-shaped id derived from the schedule (namespace, id, creation time) and the start's sequence number: the
    /// same buffered start always asks with the same id, so a retried start is recognised as the same request.
    /// </summary>
    public static string RequestId(ScheduleState state, BufferedStart start)
    {
        var key = string.Join('\n',
            state.Namespace, state.ScheduleId, state.Info.CreateTime?.ToDateTimeOffset().UtcTicks.ToString(CultureInfo.InvariantCulture),
            start.Sequence.ToString(CultureInfo.InvariantCulture), start.Nominal.UtcTicks.ToString(CultureInfo.InvariantCulture),
            start.Manual ? "manual" : "scheduled");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        // RFC 9562 version 8 (custom) with the RFC variant bits, so the id reads as a well-formed UUID.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    private static SearchAttributes WithScheduleAttributes(SearchAttributes? own, string scheduleId, DateTimeOffset nominal)
    {
        var attributes = own?.Clone() ?? new SearchAttributes();
        // Typed as the SDKs type their own (they refuse an attribute without its type when they read it back).
        attributes.IndexedFields[ScheduledStartTimeAttribute] = SearchAttributeValues.Typed(
            JsonSerializer.Serialize(nominal.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            SearchAttributeType.Datetime);
        attributes.IndexedFields[ScheduledByIdAttribute] = SearchAttributeValues.Typed(JsonSerializer.Serialize(scheduleId), SearchAttributeType.Keyword);
        return attributes;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
