using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Tempora.Visibility;
using Tempora.Visibility.Query;
using Temporalio.Api.Common.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.History.Execution;

/// <summary>
/// The run's auto-reset points, as Temporal 1.28 keeps them (mutable_state_impl.go, addResetPointFromCompletion): the
/// first workflow task each (binary checksum, build id) pair completed, so an operator can reset every run a bad build
/// touched to just before that build's first task (a batch reset with ResetOptions.build_id, the CLI's
/// <c>workflow reset --type BuildId</c>). Points are set from events only: a WorkflowTaskCompleted adds one, and a new
/// run starts with the points its predecessor handed over in its started event (prev_auto_reset_points) by
/// continue-as-new, retry or cron. A reset run replays the copied completions, so it has the base run's points up to
/// the reset, under its own run id.
/// </summary>
internal static class ResetPointRecorder
{
    /// <summary>1.28's history.maxAutoResetPoints: the oldest points go first.</summary>
    public const int MaxPoints = 20;

    public const string BinaryChecksumsAttribute = "BinaryChecksums";

    /// <summary>Adds the point of a completed workflow task whose (checksum, build id) pair the run has not seen.</summary>
    public static void RecordCompletion(MutableState s, HistoryEvent completed)
    {
        var a = completed.WorkflowTaskCompletedEventAttributes;
        // A versioned worker's build id is its deployment version's; any other worker's is its stamp's.
        var buildId = a.DeploymentVersion is { BuildId.Length: > 0 } version ? version.BuildId : a.WorkerVersion?.BuildId ?? "";
        var points = s.AutoResetPoints?.Points ?? [];
        if (points.Any(p => p.BinaryChecksum == a.BinaryChecksum && p.BuildId == buildId))
        {
            return;
        }
        var next = new ResetPoints();
        next.Points.AddRange(points.Skip(Math.Max(0, points.Count + 1 - MaxPoints)));
        next.Points.Add(new ResetPointInfo
        {
            BinaryChecksum = a.BinaryChecksum,
            BuildId = buildId,
            RunId = s.RunId,
            FirstWorkflowTaskCompletedId = completed.EventId,
            CreateTime = completed.EventTime ?? Timestamp.FromDateTimeOffset(s.StartTime),
            Resettable = IsResettable(s),
        });
        // A new message: the current one may be shared with a written event (history never changes).
        s.AutoResetPoints = next;
        if (a.BinaryChecksum.Length > 0)
        {
            RecordBinaryChecksums(s);
        }
    }

    /// <summary>
    /// The points a run that ends <paramref name="now"/> hands to the run it starts (its started event's
    /// prev_auto_reset_points), or null; as 1.28's rolloverAutoResetPointsWithExpiringTime: this run's points expire
    /// after the namespace's <paramref name="retention"/> (when retention may delete the run), and points that have
    /// expired already are dropped. 1.28 does this when it applies the started event; here the event carries the result.
    /// </summary>
    public static ResetPoints? ForSuccessor(MutableState s, DateTimeOffset now, TimeSpan? retention)
    {
        if (s.AutoResetPoints is not { Points.Count: > 0 } points)
        {
            return null;
        }
        var next = new ResetPoints();
        foreach (var point in points.Points)
        {
            if (point.ExpireTime is { } expire && expire.ToDateTimeOffset() < now)
            {
                continue;
            }
            var copy = point.Clone();
            if (copy.RunId == s.RunId && retention is { } keep)
            {
                copy.ExpireTime = Timestamp.FromDateTimeOffset(now + keep);
            }
            next.Points.Add(copy);
        }
        return next.Points.Count > 0 ? next : null;
    }

    /// <summary>The points a new run starts with, from its started event.</summary>
    public static void RecordStart(MutableState s, WorkflowExecutionStartedEventAttributes a) =>
        s.AutoResetPoints = a.PrevAutoResetPoints is { Points.Count: > 0 } points ? points : null;

    /// <summary>1.28's CheckResettable: a reset to here could not redo what is in flight to other workflows.</summary>
    private static bool IsResettable(MutableState s) => s.Children.Count == 0 && s.ExternalRequests.Count == 0;

    /// <summary>The server-kept BinaryChecksums search attribute: the checksums of the run's reset points.</summary>
    private static void RecordBinaryChecksums(MutableState s)
    {
        var checksums = s.AutoResetPoints!.Points.Where(p => p.BinaryChecksum.Length > 0).Select(p => p.BinaryChecksum).ToList();
        var payload = SearchAttributeValues.Typed(JsonSerializer.Serialize(checksums), SearchAttributeType.KeywordList);
        s.SearchAttributes = MapUpserts.Merged(s.SearchAttributes, new SearchAttributes { IndexedFields = { [BinaryChecksumsAttribute] = payload } });
    }
}
