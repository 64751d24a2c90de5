using Temporalio.Api.Enums.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// A start the schedule owes but has not made yet: a due time of the spec, a trigger or a backfilled time.
/// <paramref name="OverlapPolicy"/> stays unspecified for due times so that it resolves to the schedule's policy when
/// the start is taken (an update of the policy applies to what is already buffered, as in Temporal).
/// <paramref name="Sequence"/> numbers the starts of one schedule: with it, the start's request id is the same on
/// every retry and different for two starts that happen to share a nominal time.
/// </summary>
internal sealed record BufferedStart(
    DateTimeOffset Nominal, DateTimeOffset Actual, ScheduleOverlapPolicy OverlapPolicy, bool Manual, long Sequence);
