using Google.Protobuf;
using Tempora.Visibility.Query;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Visibility;

/// <summary>
/// How a schedule appears in visibility, as Temporal lists schedules: one Running row per schedule whose workflow id is
/// <see cref="WorkflowIdPrefix"/> + the schedule id, in the <see cref="NamespaceDivision"/> division (so workflow lists
/// never show it), with TemporalSchedulePaused, the schedule's own search attributes, and a memo that carries its
/// <see cref="ScheduleListInfo"/> next to the user's memo. This type writes those parts; <see cref="ScheduleListEntries"/>
/// reads them back for ListSchedules.
/// </summary>
public static class ScheduleVisibility
{
    /// <summary>Prepended to the schedule id to form the row's workflow id (Temporal's scheduler workflow id).</summary>
    public const string WorkflowIdPrefix = Core.SchedulerWorkflowIds.Prefix;

    /// <summary>The TemporalNamespaceDivision value of schedule rows.</summary>
    public const string NamespaceDivision = "TemporalScheduler";

    /// <summary>The workflow type Temporal gives its scheduler workflows, for the row's WorkflowType.</summary>
    public const string WorkflowType = "temporal-sys-scheduler-workflow";

    /// <summary>The memo field holding the encoded <see cref="ScheduleListInfo"/> (Temporal's name for it).</summary>
    public const string MemoInfoField = "ScheduleInfo";

    internal const string NamespaceDivisionAttribute = "TemporalNamespaceDivision";
    internal const string PausedAttribute = "TemporalSchedulePaused";

    public static string WorkflowId(string scheduleId) => Core.SchedulerWorkflowIds.Of(scheduleId);

    /// <summary>
    /// The row's SearchAttributesJson: the schedule's search attributes (as <see cref="SearchAttributeValues.ToJson"/>
    /// keeps them) plus TemporalNamespaceDivision and TemporalSchedulePaused, which win over user values of those names.
    /// </summary>
    public static string SearchAttributesJson(SearchAttributes? attributes, bool paused, IReadOnlyDictionary<string, SearchAttributeType> custom)
    {
        ArgumentNullException.ThrowIfNull(custom);
        var all = attributes?.Clone() ?? new SearchAttributes();
        all.IndexedFields[NamespaceDivisionAttribute] = Json("\"" + NamespaceDivision + "\"");
        all.IndexedFields[PausedAttribute] = Json(paused ? "true" : "false");
        return SearchAttributeValues.ToJson(all, custom)!;
    }

    /// <summary>
    /// The row's Memo bytes: the schedule's memo with <paramref name="info"/> added under <see cref="MemoInfoField"/>, as
    /// Temporal stores it (the message's bytes in a binary/plain payload).
    /// </summary>
    public static byte[] Memo(Memo? memo, ScheduleListInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var all = memo?.Clone() ?? new Memo();
        all.Fields[MemoInfoField] = new Payload
        {
            Metadata = { ["encoding"] = ByteString.CopyFromUtf8("binary/plain") },
            Data = info.ToByteString(),
        };
        return all.ToByteArray();
    }

    private static Payload Json(string json) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8(json),
    };
}
