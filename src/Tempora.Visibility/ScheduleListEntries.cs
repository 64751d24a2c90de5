using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Visibility;

/// <summary>
/// A schedule's visibility row (<see cref="ScheduleVisibility"/>) as ListSchedules answers it: the schedule id without
/// the workflow id prefix, the user's memo and search attributes without what the server keeps there for itself, and the
/// list info decoded from the memo.
/// </summary>
internal static class ScheduleListEntries
{
    /// <summary>Attributes of the row that are not the user's: Temporal hides the same ones.</summary>
    private static readonly string[] ServerAttributes =
        [ScheduleVisibility.PausedAttribute, ScheduleVisibility.NamespaceDivisionAttribute, "BinaryChecksums", "BuildIds"];

    public static ScheduleListEntry From(VisibilityRecord record, VisibilityNamespace ns)
    {
        var memo = record.Memo is null ? new Memo() : Memo.Parser.ParseFrom(record.Memo);
        var info = Info(memo);
        memo.Fields.Remove(ScheduleVisibility.MemoInfoField);
        var attributes = WorkflowExecutionInfos.SearchAttributes(record.SearchAttributesJson, ns);
        foreach (var name in ServerAttributes)
        {
            attributes.IndexedFields.Remove(name);
        }
        var id = record.WorkflowId;
        return new ScheduleListEntry
        {
            ScheduleId = id.StartsWith(ScheduleVisibility.WorkflowIdPrefix, StringComparison.Ordinal) ? id[ScheduleVisibility.WorkflowIdPrefix.Length..] : id,
            Memo = memo.Fields.Count == 0 ? null : memo,
            SearchAttributes = attributes.IndexedFields.Count == 0 ? null : attributes,
            Info = info,
        };
    }

    /// <summary>The list info in the memo, or null when it is missing or unreadable (the entry is listed without it, as upstream).</summary>
    private static ScheduleListInfo? Info(Memo memo)
    {
        if (!memo.Fields.TryGetValue(ScheduleVisibility.MemoInfoField, out var payload))
        {
            return null;
        }
        try
        {
            return ScheduleListInfo.Parser.ParseFrom(payload.Data);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
