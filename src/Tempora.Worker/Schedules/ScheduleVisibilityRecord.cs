using System.Security.Cryptography;
using System.Text;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using Temporalio.Api.Enums.V1;

namespace Tempora.Worker.Schedules;

/// <summary>The visibility row a schedule is listed by (<see cref="ScheduleVisibility"/> describes its parts).</summary>
public static class ScheduleVisibilityRecord
{
    private const string TaskQueue = "temporal-sys-per-ns-tq";

    public static VisibilityRecord Of(ScheduleKey key, ScheduleState state, long version,
        IReadOnlyDictionary<string, SearchAttributeType> custom, DateTimeOffset now)
    {
        var created = state.Info.CreateTime?.ToDateTimeOffset() ?? now;
        var workflowId = ScheduleVisibility.WorkflowId(key.ScheduleId);
        var runId = RunIdOf(key, created);
        return new VisibilityRecord(key.NamespaceId, runId, workflowId, ScheduleVisibility.WorkflowType, (int)WorkflowExecutionStatus.Running,
            created, created, null, TaskQueue, 0, 0, null, version, null, null, workflowId, runId,
            ScheduleVisibility.Memo(state.Memo, ScheduleMachine.ListInfo(state, now)),
            ScheduleVisibility.SearchAttributesJson(state.SearchAttributes, state.Schedule.State?.Paused == true, custom), version);
    }

    /// <summary>
    /// The run id of the schedule's row: fixed for one schedule from its creation (so each write replaces the row),
    /// new for a schedule created again under the same id.
    /// </summary>
    private static string RunIdOf(ScheduleKey key, DateTimeOffset created)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{key.NamespaceId}/{key.ScheduleId}/{created.UtcTicks}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
