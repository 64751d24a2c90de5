namespace Tempora.Core;

/// <summary>
/// The key a schedule is known by where Temporal knows it as its scheduler workflow: visibility lists it under this
/// workflow id, and it hashes into the shard whose owner drives the schedule and serves its requests.
/// </summary>
public static class SchedulerWorkflowIds
{
    public const string Prefix = "temporal-sys-scheduler:";

    public static string Of(string scheduleId) => Prefix + scheduleId;
}
