using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Filter.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Xunit.Abstractions;
using static Tempora.EndToEnd.Tests.VisibilityFixture;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// List, count, scan and the legacy list RPCs over the seeded server of <see cref="VisibilityFixture"/>: every query's
/// result must be exactly the set computed in C# from what was seeded. Expected sets follow SQL's NULL semantics, as
/// Temporal's SQL visibility does: a comparison (also != / NOT IN / NOT BETWEEN / NOT) never matches a run without the
/// attribute; only IS NULL does.
/// </summary>
[Collection(VisibilityCollection.Name)]
public sealed class VisibilityQueryTests(VisibilityFixture fixture, ITestOutputHelper output)
{
    private TemporalClient Client => fixture.Client;

    private Temporalio.Client.WorkflowService Raw => fixture.Client.Connection.WorkflowService;

    private IReadOnlyList<VisRow> Rows => fixture.Rows;

    [Fact]
    public async Task Seeded_EmptyQuery_ListsEveryRunOnceWithItsStatus()
    {
        var expected = Rows.Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, Rows.Select(r => r.Key).Distinct().Count());
        Assert.Equal(expected, fixture.Observed.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.Equal(expected.Count, fixture.ObservedCount);
        Assert.Equal(expected.Count, (await Client.CountWorkflowsAsync("")).Count);
        output.WriteLine($"{expected.Count} runs seeded in {fixture.SeedTime.TotalSeconds:0.0}s: {fixture.SeedSteps}");
    }

    [Fact]
    public async Task SystemAttributes_KeywordAndStatusQueries_ReturnExactlyTheSeededSets()
    {
        var runOf042 = fixture.ObservedOf(Rows.Single(r => r.WorkflowId == "vis-042")).Execution.RunId;
        var parent009 = fixture.ObservedOf(Rows.Single(r => r.WorkflowId == "vis-009")).Execution.RunId;
        await AssertQueriesAsync(
            ("WorkflowType = 'VisQuickWorkflow'", r => r.WorkflowType == nameof(VisQuickWorkflow)),
            ("WorkflowType IN ('VisFailWorkflow', 'VisChildWorkflow')", r => r.WorkflowType is nameof(VisFailWorkflow) or nameof(VisChildWorkflow)),
            ("WorkflowType NOT IN ('VisQuickWorkflow', 'VisWaitWorkflow')", r => r.WorkflowType is not (nameof(VisQuickWorkflow) or nameof(VisWaitWorkflow))),
            ("ExecutionStatus = 'Running'", r => r.Status == WorkflowExecutionStatus.Running),
            ("ExecutionStatus != 'Completed'", r => r.Status != WorkflowExecutionStatus.Completed),
            ("ExecutionStatus <> 'Completed' AND ExecutionStatus != 'Running'", r => r.Status is not (WorkflowExecutionStatus.Completed or WorkflowExecutionStatus.Running)),
            ("ExecutionStatus IN ('Terminated', 'Canceled')", r => r.Status is WorkflowExecutionStatus.Terminated or WorkflowExecutionStatus.Canceled),
            ("ExecutionStatus NOT IN ('Completed', 'Running', 'Failed')", r => r.Status is not (WorkflowExecutionStatus.Completed or WorkflowExecutionStatus.Running or WorkflowExecutionStatus.Failed)),
            ("ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_FAILED'", r => r.Status == WorkflowExecutionStatus.Failed),
            ("ExecutionStatus = 6", r => r.Status == WorkflowExecutionStatus.ContinuedAsNew),
            ("ExecutionStatus = 'continuedasnew'", r => r.Status == WorkflowExecutionStatus.ContinuedAsNew),
            ("ExecutionStatus = 'TimedOut' OR ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'", r => r.Status == WorkflowExecutionStatus.TimedOut),
            ($"TaskQueue = '{QueueParked}'", r => r.TaskQueue == QueueParked),
            ($"TaskQueue != '{QueueA}' AND ExecutionStatus = 'Completed'", r => r.TaskQueue != QueueA && r.Status == WorkflowExecutionStatus.Completed),
            ("WorkflowId = 'vis-042'", r => r.WorkflowId == "vis-042"),
            ("`WorkflowId` = \"vis-043\"", r => r.WorkflowId == "vis-043"),
            ("WorkflowId STARTS_WITH 'vis-1'", r => r.WorkflowId.StartsWith("vis-1", StringComparison.Ordinal)),
            ("WorkflowId NOT STARTS_WITH 'vis-'", r => !r.WorkflowId.StartsWith("vis-", StringComparison.Ordinal)),
            ("WorkflowId BETWEEN 'vis-100' AND 'vis-120'", r => CompareUtf8(r.WorkflowId, "vis-100") >= 0 && CompareUtf8(r.WorkflowId, "vis-120") <= 0),
            ("WorkflowId NOT BETWEEN 'parked-' AND 'vis-289'", r => CompareUtf8(r.WorkflowId, "parked-") < 0 || CompareUtf8(r.WorkflowId, "vis-289") > 0),
            ("WorkflowId > 'vis-2' AND WorkflowId < 'vis-3'", r => CompareUtf8(r.WorkflowId, "vis-2") > 0 && CompareUtf8(r.WorkflowId, "vis-3") < 0),
            ("WorkflowId >= 'vis-299' OR WorkflowId <= 'emoji-😀-run'", r => CompareUtf8(r.WorkflowId, "vis-299") >= 0 || CompareUtf8(r.WorkflowId, "emoji-😀-run") <= 0),
            ($"RunId = '{runOf042}'", r => r.WorkflowId == "vis-042"),
            ("ParentWorkflowId = 'vis-009'", r => r.ParentWorkflowId == "vis-009"),
            ("ParentWorkflowId IS NOT NULL", r => r.ParentWorkflowId is not null),
            ("ParentWorkflowId IS NULL AND WorkflowType = 'VisParentWorkflow'", r => r.ParentWorkflowId is null && r.WorkflowType == nameof(VisParentWorkflow)),
            ($"ParentRunId = '{parent009}'", r => r.ParentWorkflowId == "vis-009"),
            ("RootWorkflowId = 'vis-019'", r => r.RootWorkflowId == "vis-019"),
            ($"RootRunId = '{parent009}'", r => r.RootWorkflowId == "vis-009"),
            ("RootWorkflowId STARTS_WITH 'vis-29' AND WorkflowType = 'VisChildWorkflow'", r => r.RootWorkflowId.StartsWith("vis-29", StringComparison.Ordinal) && r.WorkflowType == nameof(VisChildWorkflow)));
    }

    [Fact]
    public async Task SpecialWorkflowIds_QuotesUnicodeAndWildcards_MatchByteForByte()
    {
        await AssertQueriesAsync(
            ("WorkflowId = 'it''s-ü-Straße-ünïcødé'", r => r.WorkflowId == "it's-ü-Straße-ünïcødé"),
            ("WorkflowId = \"it's-ü-Straße-ünïcødé\"", r => r.WorkflowId == "it's-ü-Straße-ünïcødé"),
            ("WorkflowId = 'say \"hi\" twice'", r => r.WorkflowId == "say \"hi\" twice"),
            ("WorkflowId = \"say \"\"hi\"\" twice\"", r => r.WorkflowId == "say \"hi\" twice"),
            ("WorkflowId STARTS_WITH 'pct%'", r => r.WorkflowId.StartsWith("pct%", StringComparison.Ordinal)),
            ("WorkflowId = 'emoji-😀-run'", r => r.WorkflowId == "emoji-😀-run"),
            (@"WorkflowId = 'back\slash'", r => r.WorkflowId == @"back\slash"),
            ("WorkflowId STARTS_WITH 'it''s-ü'", r => r.WorkflowId.StartsWith("it's-ü", StringComparison.Ordinal)),
            ("WorkflowId IN ('it''s-ü-Straße-ünïcødé', 'pct%-und_er', 'nope')", r => r.WorkflowId is "it's-ü-Straße-ünïcødé" or "pct%-und_er"));
        await AssertQueriesAsync(
            [
                // '%' and '_' are not wildcards, and the decomposed form of ü (u + U+0308) is another string.
                ("WorkflowId STARTS_WITH 'pct_'", _ => false),
                ("WorkflowId STARTS_WITH '%'", _ => false),
                ("WorkflowId = 'it''s-u\u0308-Straße-ünïcødé'", _ => false),
                ("WorkflowId = 'IT''S-Ü-STRASSE-ÜNÏCØDÉ'", _ => false),
                (@"WorkflowId = 'back\\slash'", _ => false),
            ],
            allowEmpty: true);
    }

    [Fact]
    public async Task CustomAttributes_EveryTypeAndOperator_ReturnExactlyTheSeededSets()
    {
        var at = (int h, int ms) => DatetimeBase.AddHours(h).AddMilliseconds(ms);
        var epochNanos = (DateTimeOffset t) => ((t - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture);
        var jan3 = new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero);
        await AssertQueriesAsync(
            // Keyword
            ("VisKeyword = 'kw-3'", r => r.Keyword == "kw-3"),
            ("VisKeyword != 'kw-3'", r => r.Keyword is { } k && k != "kw-3"),
            ("VisKeyword IN ('kw-1', 'kw-2') AND NOT VisBool = true", r => r.Keyword is "kw-1" or "kw-2" && r.Bool == false),
            ("VisKeyword IS NULL", r => r.Keyword is null),
            ("VisKeyword IS NOT NULL AND VisKeyword NOT IN ('kw-0', 'special')", r => r.Keyword is { } k && k is not ("kw-0" or "special")),
            ("VisKeyword STARTS_WITH 'kw-' AND VisKeyword >= 'kw-5'", r => r.Keyword is { } k && k.StartsWith("kw-", StringComparison.Ordinal) && CompareUtf8(k, "kw-5") >= 0),
            ("VisKeyword BETWEEN 'kw-2' AND 'kw-4'", r => r.Keyword is { } k && CompareUtf8(k, "kw-2") >= 0 && CompareUtf8(k, "kw-4") <= 0),
            ("VisKeyword < 'kw-1'", r => r.Keyword is { } k && CompareUtf8(k, "kw-1") < 0),
            ("VisKeyword NOT STARTS_WITH 'kw'", r => r.Keyword is { } k && !k.StartsWith("kw", StringComparison.Ordinal)),
            // Text: word match, case-insensitive, all words of the value
            ("VisText = 'red'", r => Words(r.Text).Contains("red")),
            ("VisText = 'RED fox'", r => Words(r.Text).Contains("red") && Words(r.Text).Contains("fox")),
            ("VisText = 'order 42'", r => Words(r.Text).Contains("order") && Words(r.Text).Contains("42")),
            ("VisText != 'blue'", r => r.Text is not null && !Words(r.Text).Contains("blue")),
            ("VisText = 'münchen'", r => Words(r.Text).Contains("münchen")),
            ("VisText IS NULL AND WorkflowId STARTS_WITH 'vis-'", r => r.Text is null && r.WorkflowId.StartsWith("vis-", StringComparison.Ordinal)),
            // Int (upserted values replace the start values)
            ("VisInt > 250", r => r.Int > 250),
            ("VisInt BETWEEN 10 AND 20", r => r.Int is >= 10 and <= 20),
            ("VisInt NOT BETWEEN 10 AND 290", r => r.Int is { } v && (v < 10 || v > 290)),
            ("VisInt IN (1, 2, 3, 1011)", r => r.Int is 1 or 2 or 3 or 1011),
            ("VisInt NOT IN (1, 2, 3) AND VisInt < 8", r => r.Int is { } v && v is not (1 or 2 or 3) && v < 8),
            ("VisInt >= 1000", r => r.Int >= 1000),
            ("VisInt = -1 OR VisInt <= 2", r => r.Int <= 2),
            ("VisInt IS NULL", r => r.Int is null),
            // Double
            ("VisDouble < -10.5", r => r.Double < -10.5),
            ("VisDouble >= 12.25 AND VisDouble <= 20", r => r.Double is >= 12.25 and <= 20),
            ("VisDouble = 2.5", r => r.Double == 2.5),
            ("VisDouble = 5", r => r.Double == 5),
            ("VisDouble BETWEEN -1 AND 1.5e0", r => r.Double is >= -1 and <= 1.5),
            ("VisDouble IN (0, -25, 49.75)", r => r.Double is 0 or -25 or 49.75),
            ("VisDouble > -0.5 AND VisDouble < 0.5 AND VisDouble != 0", r => r.Double is > -0.5 and < 0.5 and not 0),
            // Bool
            ("VisBool = true", r => r.Bool == true),
            ("VisBool = FALSE", r => r.Bool == false),
            ("VisBool != true", r => r.Bool == false),
            ("VisBool IS NULL", r => r.Bool is null),
            // Datetime: RFC 3339 with fractions and offsets, and epoch nanoseconds
            ("VisDatetime < '2024-01-03T00:00:00Z'", r => r.Datetime < jan3),
            ("VisDatetime BETWEEN '2024-01-02T02:00:00+02:00' AND '2024-01-03T00:00:00.050Z'", r => r.Datetime >= at(24, 0) && r.Datetime <= jan3.AddMilliseconds(50)),
            ("VisDatetime = '2024-01-01T05:00:00.005Z'", r => r.Datetime == at(5, 5)),
            ("VisDatetime = '2024-01-01T05:00:00.005000001Z'", r => r.Datetime == at(5, 5)),
            ($"VisDatetime >= {epochNanos(jan3.AddDays(10))}", r => r.Datetime >= jan3.AddDays(10)),
            ("VisDatetime > '2024-01-12T20:00:00.200-02:00'", r => r.Datetime > new DateTimeOffset(2024, 1, 12, 22, 0, 0, 200, TimeSpan.Zero)),
            ("VisDatetime IN ('2024-01-01T01:00:00.001Z', '2024-01-01T03:00:00.003Z')", r => r.Datetime == at(1, 1) || r.Datetime == at(3, 3)),
            ("VisDatetime IS NULL", r => r.Datetime is null),
            // KeywordList: = means "contains"
            ("VisKeywordList = 'tag-1'", r => r.KeywordList?.Contains("tag-1") == true),
            ("VisKeywordList IN ('solo', 'grp-5')", r => r.KeywordList is { } l && (l.Contains("solo") || l.Contains("grp-5"))),
            ("VisKeywordList != 'tag-0'", r => r.KeywordList is { } l && !l.Contains("tag-0")),
            ("VisKeywordList NOT IN ('tag-0', 'tag-1')", r => r.KeywordList is { } l && !l.Contains("tag-0") && !l.Contains("tag-1")),
            ("VisKeywordList = 'tag-2' AND VisKeywordList = 'grp-4'", r => r.KeywordList is { } l && l.Contains("tag-2") && l.Contains("grp-4")),
            ("VisKeywordList IS NULL", r => r.KeywordList is null),
            // Added through OperatorService; upserted by workflows
            ("VisRegion = 'eu'", r => r.Region == "eu"),
            ("VisRegion IS NOT NULL AND VisRegion != 'ap'", r => r.Region is { } g && g != "ap"),
            ("VisStage = 'upserted'", r => r.Stage == "upserted"),
            ("VisStage = 'waiting' AND ExecutionStatus = 'Running'", r => r.Stage == "waiting" && r.Status == WorkflowExecutionStatus.Running),
            ("VisStage = 'waiting' AND ExecutionStatus IN ('Terminated', 'Canceled')", r => r.Stage == "waiting" && r.Status is WorkflowExecutionStatus.Terminated or WorkflowExecutionStatus.Canceled),
            ("VisStage IS NOT NULL", r => r.Stage is not null),
            ("VisStage = 'upserted' AND VisBool IS NULL AND VisKeywordList IS NULL", r => r.Stage == "upserted"));
    }

    [Fact]
    public async Task BooleanStructure_AndOrNotParentheses_FollowsPrecedenceAndNullSemantics()
    {
        await AssertQueriesAsync(
            ("(ExecutionStatus = 'Failed' OR VisBool = true) AND NOT (VisInt < 100)",
                r => (r.Status == WorkflowExecutionStatus.Failed || r.Bool == true) && r.Int is { } v && !(v < 100)),
            ("NOT (WorkflowType = 'VisQuickWorkflow' OR WorkflowType = 'VisChildWorkflow') AND TaskQueue = 'vis-queue-a'",
                r => r.WorkflowType is not (nameof(VisQuickWorkflow) or nameof(VisChildWorkflow)) && r.TaskQueue == QueueA),
            // AND binds tighter than OR
            ("VisInt > 280 and not VisBool = false or WorkflowId = 'vis-000'",
                r => (r.Int > 280 && r.Bool == true) || r.WorkflowId == "vis-000"),
            ("VisInt > 280 AND (NOT VisBool = false OR WorkflowId = 'vis-000')", r => r.Int > 280 && r.Bool == true),
            ("NOT NOT (VisKeyword = 'kw-6')", r => r.Keyword == "kw-6"),
            // NOT around a comparison with a missing attribute stays unknown: no match
            ("NOT (VisInt = 5)", r => r.Int is { } v && v != 5),
            ("NOT (VisKeyword = 'kw-1') AND WorkflowId STARTS_WITH 'vis-0'", r => r.Keyword is { } k && k != "kw-1" && r.WorkflowId.StartsWith("vis-0", StringComparison.Ordinal)),
            ("VisKeyword = 'kw-1' OR VisKeyword IS NULL", r => r.Keyword is "kw-1" or null),
            ("((((VisInt = 12))) OR (((VisInt = 13))))", r => r.Int is 12 or 13),
            ("(VisBool = true OR VisBool = false) AND (VisKeywordList = 'solo' OR VisRegion = 'us') AND VisDouble > 0",
                r => r.Bool is not null && (r.KeywordList?.Contains("solo") == true || r.Region == "us") && r.Double > 0),
            ("ExecutionStatus = 'Running' AND TaskQueue = 'vis-queue-parked' OR ExecutionStatus = 'Failed' AND VisInt < 50",
                r => (r.Status == WorkflowExecutionStatus.Running && r.TaskQueue == QueueParked) || (r.Status == WorkflowExecutionStatus.Failed && r.Int < 50)),
            ("   WorkflowType   =   'VisFailWorkflow'\n\tAND\r\n VisInt > 200  ", r => r.WorkflowType == nameof(VisFailWorkflow) && r.Int > 200),
            // Keywords are case-insensitive (names are not); names may be back-quoted.
            ("WorkflowId starts_with 'vis-29' and VisInt between 290 and 295 or VisKeyword is null and `VisInt` in (22, 33)",
                r => (r.WorkflowId.StartsWith("vis-29", StringComparison.Ordinal) && r.Int is >= 290 and <= 295) || (r.Keyword is null && r.Int is 22 or 33)),
            ("`VisKeywordList` not in ('solo') AND `WorkflowType` is not null AND VisDouble Not Between -20 And 40",
                r => r.KeywordList is { } l && !l.Contains("solo") && r.Double is { } d && (d < -20 || d > 40)),
            // Predefined attributes nobody set
            ("TemporalChangeVersion IS NULL AND BinaryChecksums IS NULL AND ExecutionStatus IS NOT NULL", _ => true));
        await AssertQueriesAsync(
            [
                ("TemporalChangeVersion = 'some-patch'", _ => false),
                ("TemporalSchedulePaused = true", _ => false),
                ("ExecutionStatus IS NULL OR RunId IS NULL OR StartTime IS NULL", _ => false),
            ],
            allowEmpty: true);
    }

    [Fact]
    public async Task TimeAttributes_StartCloseRangesDurationAndHistoryLength_ReturnExactlyTheSeededSets()
    {
        var a = Literal(fixture.PhaseAEnd);
        var b = Literal(fixture.PhaseBEnd);
        await AssertQueriesAsync(
            ($"StartTime < {a}", r => r.StartPhase == 'A'),
            ($"StartTime >= {a} AND StartTime < {b}", r => r.StartPhase == 'B'),
            ($"StartTime BETWEEN {a} AND {b}", r => r.StartPhase == 'B'),
            ($"StartTime NOT BETWEEN {a} AND {b}", r => r.StartPhase == 'A'),
            ($"ExecutionTime < {a}", r => r.StartPhase == 'A' && !r.Delayed),
            ($"ExecutionTime > {b}", r => r.Delayed),
            ($"ExecutionTime > {b} AND StartTime < {a} AND ExecutionStatus = 'Running'", r => r.Delayed),
            ($"CloseTime > {b}", r => r.Closed == VisClosed.InPhaseC),
            ($"CloseTime BETWEEN {a} AND {b}", r => r.Closed == VisClosed.InPhaseB),
            ($"CloseTime <= {a} AND ExecutionStatus = 'Failed'", r => r.Closed == VisClosed.InPhaseA && r.Status == WorkflowExecutionStatus.Failed),
            ($"StartTime < {a} AND CloseTime > {b}", r => r.StartPhase == 'A' && r.Closed == VisClosed.InPhaseC),
            ("CloseTime IS NULL", r => r.Closed == VisClosed.Open),
            ("CloseTime IS NOT NULL AND TaskQueue = 'vis-queue-parked'", r => r.Closed != VisClosed.Open && r.TaskQueue == QueueParked),
            ("StartTime > '2000-01-01T00:00:00Z' AND StartTime < '2100-01-01T00:00:00+05:30'", _ => true),
            ("ExecutionDuration IS NULL", r => r.Closed == VisClosed.Open));
        await AssertQueriesAsync([("StartTime < '2000-01-01T00:00:00Z'", _ => false), ("CloseTime < '2000-01-01T00:00:00Z'", _ => false)], allowEmpty: true);

        // Durations and history lengths are whatever the runs took: expected sets use the values listed after seeding,
        // and the deterministic part is checked too (phase-A runs closed in phase C lasted longer than phase B).
        // History lengths only of closed runs: a running run's row keeps the length of its last visible change.
        var closed = Rows.Where(r => r.Closed != VisClosed.Open).ToList();
        var durations = closed.ToDictionary(r => r.Key, r => (long)(fixture.ObservedOf(r).ExecutionDuration.ToTimeSpan().Ticks * 100));
        var median = durations.Values.Order().ElementAt(durations.Count / 2);
        var medianMs = median / 1_000_000;
        var phaseB = (long)((fixture.PhaseBEnd - fixture.PhaseAEnd).Ticks * 100);
        var lengths = closed.ToDictionary(r => r.Key, r => fixture.ObservedOf(r).HistoryLength);
        await AssertQueriesAsync(
            [
                ($"ExecutionDuration > {median}", r => durations.TryGetValue(r.Key, out var d) && d > median),
                ($"ExecutionDuration <= {median}", r => durations.TryGetValue(r.Key, out var d) && d <= median),
                ($"ExecutionDuration >= '{medianMs}ms'", r => durations.TryGetValue(r.Key, out var d) && d >= medianMs * 1_000_000),
                ("ExecutionDuration < '00:00:01'", r => durations.TryGetValue(r.Key, out var d) && d < 1_000_000_000),
                ("ExecutionDuration BETWEEN '1us' AND '2h45m'", r => durations.TryGetValue(r.Key, out var d) && d >= 1_000 && d <= 9_900_000_000_000),
                ("HistoryLength = 5 AND CloseTime IS NOT NULL", r => lengths.TryGetValue(r.Key, out var n) && n == 5),
                ("HistoryLength > 5 AND ExecutionStatus != 'Running'", r => lengths.TryGetValue(r.Key, out var n) && n > 5),
                ("HistoryLength IN (2, 3, 4) AND ExecutionStatus != 'Running'", r => lengths.TryGetValue(r.Key, out var n) && n is 2 or 3 or 4),
            ],
            allowEmpty: true);
        var longRuns = await ListKeysAsync($"ExecutionDuration >= {phaseB}");
        foreach (var row in Rows.Where(r => r.StartPhase == 'A' && r.Closed == VisClosed.InPhaseC))
        {
            Assert.Contains(row.Key, longRuns);
        }
        Assert.Equal(closed.Count, (await Client.CountWorkflowsAsync("ExecutionDuration >= 0")).Count);
    }

    [Fact]
    public async Task ListedValues_DurationAndHistoryLength_AgreeWithTimesAndHistories()
    {
        foreach (var row in Rows.Where(r => r.Closed != VisClosed.Open))
        {
            var info = fixture.ObservedOf(row);
            var expected = info.CloseTime.ToDateTimeOffset() - info.ExecutionTime.ToDateTimeOffset();
            var actual = info.ExecutionDuration.ToTimeSpan();
            Assert.True((expected - actual).Duration() <= TimeSpan.FromMicroseconds(2), $"{row.Key}: duration {actual} but closed {expected} after its execution time");
        }
        foreach (var row in Rows.Where(r => r.Closed == VisClosed.Open))
        {
            var info = fixture.ObservedOf(row);
            Assert.Null(info.CloseTime);
            Assert.Null(info.ExecutionDuration);
        }

        // One closed run of every type and status: the listed history length is the length of its history.
        foreach (var row in Rows.Where(r => r.Closed != VisClosed.Open).DistinctBy(r => (r.WorkflowType, r.Status)))
        {
            var listed = fixture.ObservedOf(row);
            var history = await Client.GetWorkflowHandle(row.WorkflowId, listed.Execution.RunId).FetchHistoryAsync();
            Assert.True(history.Events.Count == listed.HistoryLength, $"{row.Key}: listed HistoryLength {listed.HistoryLength}, history has {history.Events.Count} events");
        }
    }

    [Fact]
    public async Task CountGroupByExecutionStatus_RawRpc_GivesPerStatusCountsAsKeywordPayloads()
    {
        foreach (var (filter, predicate) in new (string, Func<VisRow, bool>)[]
        {
            ("", _ => true),
            ($"TaskQueue = '{QueueA}' ", r => r.TaskQueue == QueueA),
            ("VisInt < 100 ", r => r.Int < 100),
            ("VisInt = -5 ", _ => false),
        })
        {
            var response = await Raw.CountWorkflowExecutionsAsync(new CountWorkflowExecutionsRequest
            {
                Namespace = "default",
                Query = filter + "GROUP BY ExecutionStatus",
            });
            var expected = Rows.Where(predicate).GroupBy(r => r.Status.ToString()).ToDictionary(g => g.Key, g => (long)g.Count());
            var actual = new Dictionary<string, long>();
            foreach (var group in response.Groups)
            {
                var payload = Assert.Single(group.GroupValues);
                Assert.Equal("Keyword", payload.Metadata["type"].ToStringUtf8());
                var name = System.Text.Json.JsonSerializer.Deserialize<string>(payload.Data.ToStringUtf8());
                Assert.NotNull(name);
                actual.Add(name, group.Count);
            }
            Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(expected.Values.Sum(), response.Count);
        }

        // The SDK's typed view of the same answer.
        var count = await Client.CountWorkflowsAsync("GROUP BY ExecutionStatus");
        Assert.Equal(Rows.Count, count.Count);
        Assert.Equal(
            Rows.Count(r => r.Status == WorkflowExecutionStatus.Running),
            count.Groups.Single(g => Equals(g.GroupValues.Single(), "Running")).Count);
    }

    [Fact]
    public async Task Paging_PageSizeSeven_NoDuplicatesNothingMissingFixedOrder()
    {
        const string query = "WorkflowId >= 'vis-250' AND WorkflowId < 'vis-300'";
        var expected = Rows.Where(r => CompareUtf8(r.WorkflowId, "vis-250") >= 0 && CompareUtf8(r.WorkflowId, "vis-300") < 0).ToList();
        Assert.InRange(expected.Count, 45, 80);
        Assert.Contains(expected, r => r.Status == WorkflowExecutionStatus.Running);

        var listed = await PagesAsync(async token =>
        {
            var page = await Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = query, PageSize = 7, NextPageToken = token });
            return (page.Executions, page.NextPageToken);
        });
        var scanned = await PagesAsync(async token =>
        {
            var page = await Raw.ScanWorkflowExecutionsAsync(new ScanWorkflowExecutionsRequest { Namespace = "default", Query = query, PageSize = 7, NextPageToken = token });
            return (page.Executions, page.NextPageToken);
        });
        var single = await Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = query, PageSize = 1000 });
        Assert.True(single.NextPageToken.IsEmpty);

        Assert.Equal(listed.Count, listed.Select(e => e.Execution.RunId).Distinct().Count());
        Assert.Equal(expected.Select(r => r.Key).Order(StringComparer.Ordinal), listed.Select(Key).Order(StringComparer.Ordinal));
        Assert.Equal(single.Executions.Select(e => e.Execution.RunId), listed.Select(e => e.Execution.RunId));
        Assert.Equal(single.Executions.Select(e => e.Execution.RunId), scanned.Select(e => e.Execution.RunId));

        // Running first, then most recently closed, then most recently started, then run id.
        for (var i = 1; i < listed.Count; i++)
        {
            var (prev, next) = (listed[i - 1], listed[i]);
            var order = CompareFixedOrder(prev, next);
            Assert.True(order < 0, $"rows {i - 1} and {i} out of order: {Describe(prev)} then {Describe(next)}");
        }
        Assert.Equal(WorkflowExecutionStatus.Running, listed[0].Status);

        // The SDK pages the same way.
        var sdk = new List<string>();
        await foreach (var execution in Client.ListWorkflowsAsync(query))
        {
            sdk.Add(execution.RunId);
        }
        Assert.Equal(single.Executions.Select(e => e.Execution.RunId), sdk);
        var limited = new List<string>();
        await foreach (var execution in Client.ListWorkflowsAsync(query, new WorkflowListOptions { Limit = 10 }))
        {
            limited.Add(execution.RunId);
        }
        Assert.Equal(single.Executions.Take(10).Select(e => e.Execution.RunId), limited);
    }

    [Fact]
    public async Task ListResults_MemoAndTypedSearchAttributes_ComeBack()
    {
        // vis-020: every custom attribute set at start, and a memo.
        var execution = await SingleAsync("WorkflowId = 'vis-020'");
        var row = Rows.Single(r => r.WorkflowId == "vis-020");
        Assert.NotNull(row.Keyword);
        Assert.NotNull(row.Text);
        Assert.NotNull(row.Int);
        Assert.NotNull(row.Double);
        Assert.NotNull(row.Bool);
        Assert.NotNull(row.Datetime);
        Assert.NotNull(row.KeywordList);
        Assert.NotNull(row.Region);
        Assert.NotNull(row.MemoNote);
        var sa = execution.TypedSearchAttributes;
        Assert.Equal(row.Keyword, sa.Get(KeywordKey));
        Assert.Equal(row.Text, sa.Get(TextKey));
        Assert.Equal(row.Int, sa.Get(IntKey));
        Assert.Equal(row.Double, sa.Get(DoubleKey));
        Assert.Equal(row.Bool, sa.Get(BoolKey));
        Assert.Equal(row.Datetime, sa.Get(DatetimeKey));
        Assert.Equal(row.KeywordList.AsEnumerable(), sa.Get(KeywordListKey));
        Assert.Equal(row.Region, sa.Get(RegionKey));
        Assert.False(sa.ContainsKey(StageKey));
        Assert.Equal(row.MemoNote, await execution.Memo["note"].ToValueAsync<string>());
        Assert.Equal(20, await execution.Memo["n"].ToValueAsync<int>());
        var raw = await Raw.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = "default", Query = "WorkflowId = 'vis-020'" });
        foreach (var (name, payload) in Assert.Single(raw.Executions).SearchAttributes.IndexedFields)
        {
            Assert.True(payload.Metadata.ContainsKey("type"), $"search attribute {name} has no type metadata");
        }

        // vis-021: VisInt and VisStage upserted by the workflow; no memo.
        var upserted = await SingleAsync("WorkflowId = 'vis-021'");
        Assert.Equal(1021L, upserted.TypedSearchAttributes.Get(IntKey));
        Assert.Equal("upserted", upserted.TypedSearchAttributes.Get(StageKey));
        Assert.False(upserted.TypedSearchAttributes.ContainsKey(BoolKey), "VisBool was removed by the workflow");
        Assert.False(upserted.TypedSearchAttributes.ContainsKey(KeywordListKey), "VisKeywordList was removed by the workflow");
        Assert.Equal(["stage"], upserted.Memo.Keys);
        Assert.Equal("upserted", await upserted.Memo["stage"].ToValueAsync<string>());

        // vis-008: continued as new; both runs have the memo and attributes of the first.
        var runs = await ListAsync("WorkflowId = 'vis-008'");
        Assert.Equal(2, runs.Count);
        Assert.Equal(
            new[] { WorkflowExecutionStatus.Completed, WorkflowExecutionStatus.ContinuedAsNew }.Order(),
            runs.Select(r => r.Status).Order());
        foreach (var run in runs)
        {
            Assert.Equal("memo-8", await run.Memo["note"].ToValueAsync<string>());
            Assert.Equal(new[] { "solo" }, run.TypedSearchAttributes.Get(KeywordListKey));
            Assert.Equal(8L, run.TypedSearchAttributes.Get(IntKey));
        }

        // vis-029-child: parent and root are reported.
        var child = await SingleAsync("WorkflowId = 'vis-029-child'");
        var parent = fixture.ObservedOf(Rows.Single(r => r.WorkflowId == "vis-029"));
        Assert.Equal("vis-029", child.ParentId);
        Assert.Equal(parent.Execution.RunId, child.ParentRunId);
        var childInfo = fixture.ObservedOf(Rows.Single(r => r.WorkflowId == "vis-029-child"));
        Assert.Equal("vis-029", childInfo.RootExecution.WorkflowId);
        Assert.Equal(parent.Execution.RunId, childInfo.RootExecution.RunId);
        Assert.Equal("vis-029", childInfo.ParentExecution.WorkflowId);
        Assert.Equal(nameof(VisChildWorkflow), child.WorkflowType);
        // Only the server's own BuildIds: nothing was inherited from the parent.
        Assert.Equal(["BuildIds"], child.TypedSearchAttributes.UntypedValues.Keys.Select(k => k.Name));
    }

    [Fact]
    public async Task ListOpenAndClosed_WithFilters_ReturnExactlyTheSeededSets()
    {
        async Task<List<string>> OpenAsync(ListOpenWorkflowExecutionsRequest request)
        {
            request.Namespace = "default";
            request.MaximumPageSize = 9;
            return (await PagesAsync(async token =>
            {
                request.NextPageToken = token;
                var page = await Raw.ListOpenWorkflowExecutionsAsync(request);
                return (page.Executions, page.NextPageToken);
            })).Select(Key).Order(StringComparer.Ordinal).ToList();
        }

        async Task<List<string>> ClosedAsync(ListClosedWorkflowExecutionsRequest request)
        {
            request.Namespace = "default";
            request.MaximumPageSize = 9;
            return (await PagesAsync(async token =>
            {
                request.NextPageToken = token;
                var page = await Raw.ListClosedWorkflowExecutionsAsync(request);
                return (page.Executions, page.NextPageToken);
            })).Select(Key).Order(StringComparer.Ordinal).ToList();
        }

        List<string> Expect(Func<VisRow, bool> predicate) => Rows.Where(predicate).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();

        var a = Timestamp.FromDateTimeOffset(fixture.PhaseAEnd);
        var later = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(5));
        var open = WorkflowExecutionStatus.Running;

        Assert.Equal(Expect(r => r.Status == open), await OpenAsync(new()));
        Assert.Equal(Expect(r => r.Status == open && r.StartPhase == 'B'), await OpenAsync(new() { StartTimeFilter = new StartTimeFilter { EarliestTime = a, LatestTime = later } }));
        Assert.Equal(Expect(r => r.Status == open && r.StartPhase == 'A'),
            await OpenAsync(new() { StartTimeFilter = new StartTimeFilter { EarliestTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(1)), LatestTime = a } }));
        Assert.Equal(Expect(r => r.WorkflowId == "parked-01"), await OpenAsync(new() { ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = "parked-01" } }));
        Assert.Equal(Expect(r => r.Status == open && r.WorkflowType == nameof(VisWaitWorkflow)), await OpenAsync(new() { TypeFilter = new WorkflowTypeFilter { Name = nameof(VisWaitWorkflow) } }));
        Assert.Empty(await OpenAsync(new() { TypeFilter = new WorkflowTypeFilter { Name = nameof(VisFailWorkflow) } }));

        var closed = (VisRow r) => r.Status != open;
        Assert.Equal(Expect(closed), await ClosedAsync(new()));
        Assert.Equal(Expect(r => r.Status == WorkflowExecutionStatus.Failed),
            await ClosedAsync(new() { StatusFilter = new StatusFilter { Status = WorkflowExecutionStatus.Failed } }));
        Assert.Equal(Expect(r => r.Status == WorkflowExecutionStatus.TimedOut),
            await ClosedAsync(new() { StatusFilter = new StatusFilter { Status = WorkflowExecutionStatus.TimedOut } }));
        Assert.Equal(Expect(r => r.WorkflowType == nameof(VisContinueWorkflow)),
            await ClosedAsync(new() { TypeFilter = new WorkflowTypeFilter { Name = nameof(VisContinueWorkflow) } }));
        Assert.Equal(Expect(r => r.WorkflowId == "vis-008"),
            await ClosedAsync(new() { ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = "vis-008" } }));
        Assert.Empty(await ClosedAsync(new() { ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = "vis-007" } }));
    }

    /// <summary>
    /// Upstream's ListClosedWorkflowExecutions applies start_time_filter to the close time, not the start time
    /// (temporalio/temporal common/persistence/visibility/store/sql/visibility_store.go, buildQueryStringFromListRequest:
    /// <c>timeAttr = CloseTime</c> unless the status is Running).
    /// </summary>
    [Fact]
    public async Task ListClosed_StartTimeFilter_AppliesToCloseTimeAsUpstream()
    {
        async Task<List<string>> ClosedAsync(Timestamp earliest, Timestamp latest) =>
            (await PagesAsync(async token =>
            {
                var page = await Raw.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsRequest
                {
                    Namespace = "default",
                    MaximumPageSize = 50,
                    NextPageToken = token,
                    StartTimeFilter = new StartTimeFilter { EarliestTime = earliest, LatestTime = latest },
                });
                return (page.Executions, page.NextPageToken);
            })).Select(Key).Order(StringComparer.Ordinal).ToList();

        List<string> Expect(Func<VisRow, bool> predicate) => Rows.Where(predicate).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();

        var a = Timestamp.FromDateTimeOffset(fixture.PhaseAEnd);
        var b = Timestamp.FromDateTimeOffset(fixture.PhaseBEnd);
        var later = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(5));
        var failures = new StringBuilder();
        foreach (var (what, earliest, latest, expected) in new[]
        {
            ("closed after phase B", b, later, Expect(r => r.Closed == VisClosed.InPhaseC)),
            ("closed during phase B", a, b, Expect(r => r.Closed == VisClosed.InPhaseB)),
        })
        {
            var actual = await ClosedAsync(earliest, latest);
            if (!expected.SequenceEqual(actual))
            {
                failures.AppendLine(CultureInfo.InvariantCulture,
                    $"start_time_filter [{earliest.ToDateTimeOffset():O}, {latest.ToDateTimeOffset():O}] ({what}): expected {expected.Count} runs, got {actual.Count}; "
                    + $"missing {string.Join(", ", expected.Except(actual).Take(5))}; unexpected {string.Join(", ", actual.Except(expected).Take(5))}");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public async Task GetSearchAttributes_ListsSystemAndCustomNamesWithTypes()
    {
        var response = await Raw.GetSearchAttributesAsync(new GetSearchAttributesRequest());
        foreach (var (name, type) in new Dictionary<string, IndexedValueType>
        {
            ["WorkflowId"] = IndexedValueType.Keyword,
            ["RunId"] = IndexedValueType.Keyword,
            ["WorkflowType"] = IndexedValueType.Keyword,
            ["ExecutionStatus"] = IndexedValueType.Keyword,
            ["TaskQueue"] = IndexedValueType.Keyword,
            ["StartTime"] = IndexedValueType.Datetime,
            ["CloseTime"] = IndexedValueType.Datetime,
            ["ExecutionTime"] = IndexedValueType.Datetime,
            ["ExecutionDuration"] = IndexedValueType.Int,
            ["HistoryLength"] = IndexedValueType.Int,
            ["ParentWorkflowId"] = IndexedValueType.Keyword,
            ["RootWorkflowId"] = IndexedValueType.Keyword,
            ["TemporalChangeVersion"] = IndexedValueType.KeywordList,
            ["VisKeyword"] = IndexedValueType.Keyword,
            ["VisText"] = IndexedValueType.Text,
            ["VisInt"] = IndexedValueType.Int,
            ["VisDouble"] = IndexedValueType.Double,
            ["VisBool"] = IndexedValueType.Bool,
            ["VisDatetime"] = IndexedValueType.Datetime,
            ["VisKeywordList"] = IndexedValueType.KeywordList,
            ["VisRegion"] = IndexedValueType.Keyword,
        })
        {
            Assert.True(response.Keys.TryGetValue(name, out var actual), $"GetSearchAttributes lacks {name}");
            Assert.Equal(type, actual);
        }
    }

    [Fact]
    public async Task ListSearchAttributes_PerNamespace_CustomOnesOfThatNamespaceOnly()
    {
        var operators = Client.Connection.OperatorService;
        var inDefault = await operators.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = "default" });
        var inOther = await operators.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = OtherNamespace });

        var started = StartAttributes.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(started.Append("VisRegion").Order(StringComparer.Ordinal), inDefault.CustomAttributes.Keys.Where(k => k.StartsWith("Vis", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(started, inOther.CustomAttributes.Keys.Where(k => k.StartsWith("Vis", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(IndexedValueType.Text, inDefault.CustomAttributes["VisText"]);
        Assert.Equal(IndexedValueType.KeywordList, inOther.CustomAttributes["VisKeywordList"]);
        Assert.Equal(IndexedValueType.Keyword, inDefault.SystemAttributes["WorkflowId"]);
        Assert.Equal(IndexedValueType.Datetime, inOther.SystemAttributes["StartTime"]);
        Assert.DoesNotContain("WorkflowId", inDefault.CustomAttributes.Keys);

        // VisRegion exists only in default: the other namespace rejects queries on it, and lists nothing of default's.
        var ex = await Assert.ThrowsAsync<RpcException>(() => Raw.ListWorkflowExecutionsAsync(
            new ListWorkflowExecutionsRequest { Namespace = OtherNamespace, Query = "VisRegion = 'eu'" }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, ex.Code);
        Assert.Contains("VisRegion", ex.Message, StringComparison.Ordinal);
        var other = await Raw.CountWorkflowExecutionsAsync(new CountWorkflowExecutionsRequest { Namespace = OtherNamespace, Query = "WorkflowId STARTS_WITH 'vis-'" });
        Assert.Equal(0, other.Count);
    }

    [Fact]
    public async Task AddThenRemoveSearchAttribute_QueriesFollow_RemoveUnknownIsNotFound()
    {
        var operators = Client.Connection.OperatorService;
        await operators.AddSearchAttributesAsync(new AddSearchAttributesRequest
        {
            Namespace = "default",
            SearchAttributes = { ["VisTemporary"] = IndexedValueType.Double },
        });
        try
        {
            var listed = await operators.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = "default" });
            Assert.Equal(IndexedValueType.Double, listed.CustomAttributes["VisTemporary"]);
            Assert.Equal(Rows.Count, (await Client.CountWorkflowsAsync("VisTemporary IS NULL")).Count);
            Assert.Equal(0, (await Client.CountWorkflowsAsync("VisTemporary > 1.5")).Count);

            // Same name and type again: accepted; another type: refused.
            await operators.AddSearchAttributesAsync(new AddSearchAttributesRequest
            {
                Namespace = "default",
                SearchAttributes = { ["VisTemporary"] = IndexedValueType.Double },
            });
            var retyped = await Assert.ThrowsAsync<RpcException>(() => operators.AddSearchAttributesAsync(new AddSearchAttributesRequest
            {
                Namespace = "default",
                SearchAttributes = { ["VisTemporary"] = IndexedValueType.Keyword },
            }));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, retyped.Code);
            var reserved = await Assert.ThrowsAsync<RpcException>(() => operators.AddSearchAttributesAsync(new AddSearchAttributesRequest
            {
                Namespace = "default",
                SearchAttributes = { ["WorkflowId"] = IndexedValueType.Keyword },
            }));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, reserved.Code);
        }
        finally
        {
            await operators.RemoveSearchAttributesAsync(new RemoveSearchAttributesRequest { Namespace = "default", SearchAttributes = { "VisTemporary" } });
        }

        var after = await operators.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = "default" });
        Assert.DoesNotContain("VisTemporary", after.CustomAttributes.Keys);
        var query = await Assert.ThrowsAsync<RpcException>(() => Client.CountWorkflowsAsync("VisTemporary > 1.5"));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, query.Code);
        Assert.Contains("VisTemporary", query.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<RpcException>(() => operators.RemoveSearchAttributesAsync(
            new RemoveSearchAttributesRequest { Namespace = "default", SearchAttributes = { "VisTemporary" } }));
        Assert.Equal(RpcException.StatusCode.NotFound, missing.Code);
        var never = await Assert.ThrowsAsync<RpcException>(() => operators.RemoveSearchAttributesAsync(
            new RemoveSearchAttributesRequest { Namespace = "default", SearchAttributes = { "VisNeverAdded" } }));
        Assert.Equal(RpcException.StatusCode.NotFound, never.Code);

        // Nothing else changed.
        Assert.Equal(Rows.Count, (await Client.CountWorkflowsAsync("")).Count);
        Assert.Equal(Rows.Count(r => r.Region == "eu"), (await Client.CountWorkflowsAsync("VisRegion = 'eu'")).Count);
    }

    /// <summary>Runs every query through list and count and reports all mismatches at once.</summary>
    private Task AssertQueriesAsync(params (string Query, Func<VisRow, bool> Expected)[] queries) => AssertQueriesAsync(queries, allowEmpty: false);

    private async Task AssertQueriesAsync((string Query, Func<VisRow, bool> Expected)[] queries, bool allowEmpty)
    {
        var failures = new StringBuilder();
        foreach (var (query, predicate) in queries)
        {
            var expected = Rows.Where(predicate).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
            if (!allowEmpty && expected.Count == 0)
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"[{query}] expects nothing: the seed does not exercise it");
                continue;
            }
            List<string> actual;
            long count;
            try
            {
                actual = (await ListKeysAsync(query)).Order(StringComparer.Ordinal).ToList();
                count = (await Client.CountWorkflowsAsync(query)).Count;
            }
            catch (RpcException e)
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"[{query}] failed: {e.Code} {e.Message}");
                continue;
            }
            if (!expected.SequenceEqual(actual))
            {
                var missing = expected.Except(actual).ToList();
                var unexpected = actual.Except(expected).ToList();
                failures.AppendLine(CultureInfo.InvariantCulture,
                    $"[{query}] expected {expected.Count}, listed {actual.Count}; missing {missing.Count}: {string.Join(", ", missing.Take(8))}; unexpected {unexpected.Count}: {string.Join(", ", unexpected.Take(8))}");
            }
            if (count != expected.Count)
            {
                failures.AppendLine(CultureInfo.InvariantCulture, $"[{query}] count {count}, expected {expected.Count}");
            }
            output.WriteLine($"{expected.Count,4}  {query}");
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    private async Task<List<string>> ListKeysAsync(string query)
    {
        var keys = new List<string>();
        await foreach (var execution in Client.ListWorkflowsAsync(query))
        {
            keys.Add(KeyOf(execution.Id, execution.Status));
        }
        return keys;
    }

    private async Task<List<WorkflowExecution>> ListAsync(string query)
    {
        var list = new List<WorkflowExecution>();
        await foreach (var execution in Client.ListWorkflowsAsync(query))
        {
            list.Add(execution);
        }
        return list;
    }

    private async Task<WorkflowExecution> SingleAsync(string query) => Assert.Single(await ListAsync(query));

    private static async Task<List<WorkflowExecutionInfo>> PagesAsync(
        Func<ByteString, Task<(Google.Protobuf.Collections.RepeatedField<WorkflowExecutionInfo> Executions, ByteString Next)>> page)
    {
        var all = new List<WorkflowExecutionInfo>();
        var token = ByteString.Empty;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 1000, "paging does not end");
            var (executions, next) = await page(token);
            if (!next.IsEmpty)
            {
                Assert.True(executions.Count > 0, "a page with a next page token is empty");
            }
            all.AddRange(executions);
            if (next.IsEmpty)
            {
                return all;
            }
            token = next;
        }
    }

    private static string Key(WorkflowExecutionInfo info) => KeyOf(info.Execution.WorkflowId, info.Status);

    private static int CompareFixedOrder(WorkflowExecutionInfo x, WorkflowExecutionInfo y)
    {
        static long CloseKey(WorkflowExecutionInfo e) => e.CloseTime is null ? long.MaxValue : e.CloseTime.ToDateTimeOffset().UtcTicks;
        var byClose = CloseKey(y).CompareTo(CloseKey(x));
        if (byClose != 0)
        {
            return byClose;
        }
        var byStart = y.StartTime.ToDateTimeOffset().UtcTicks.CompareTo(x.StartTime.ToDateTimeOffset().UtcTicks);
        return byStart != 0 ? byStart : string.CompareOrdinal(x.Execution.RunId, y.Execution.RunId);
    }

    private static string Describe(WorkflowExecutionInfo e) =>
        $"{e.Execution.WorkflowId}/{e.Status} close={e.CloseTime?.ToDateTimeOffset():O} start={e.StartTime.ToDateTimeOffset():O} run={e.Execution.RunId}";

    /// <summary>The words of a Text value as the stores match them (ASCII letters/digits or other letters, lower-cased).</summary>
    private static HashSet<string> Words(string? text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        if (text is null)
        {
            return words;
        }
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsAsciiLetterOrDigit(c) || (c > 127 && char.IsLetterOrDigit(c)))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        return words;
    }
}
