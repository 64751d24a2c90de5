using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// Queries over <see cref="SeedData"/> with the rows each must select, written as C# predicates: the expected
/// semantics, independent of the compiler. A missing attribute (null) never satisfies a comparison, negated or not
/// (SQL's three-valued logic, as Temporal's SQL stores behave); only IS NULL finds it.
/// </summary>
internal static partial class QueryCases
{
    public static readonly IReadOnlyDictionary<string, Func<SeedRow, bool>> All = Build();

    private static Dictionary<string, Func<SeedRow, bool>> Build()
    {
        var exact = SeedData.Main.ElementAt(10);
        var exactCustom = SeedData.Main.First(r => r.CustomDatetime is not null);
        var cases = new Dictionary<string, Func<SeedRow, bool>>(StringComparer.Ordinal)
        {
            [""] = _ => true,
            ["WorkflowType = 'OrderWorkflow'"] = r => r.WorkflowType == "OrderWorkflow",
            ["WorkflowType = 'Ünïcode工作流'"] = r => r.WorkflowType == "Ünïcode工作流",
            ["ExecutionStatus = 'Running'"] = r => r.Status == 1,
            ["ExecutionStatus IN ('Completed', 'WORKFLOW_EXECUTION_STATUS_FAILED', 7)"] = r => r.Status is 2 or 3 or 7,
            ["ExecutionStatus != 'Running' AND TaskQueue = 'tq-ü'"] = r => r.Status != 1 && r.TaskQueue == "tq-ü",
            ["ExecutionStatus NOT IN ('Running', 'ContinuedAsNew')"] = r => r.Status is not (1 or 6),
            ["WorkflowId STARTS_WITH 'order_%'"] = r => r.WorkflowId.StartsWith("order_%", StringComparison.Ordinal),
            ["WorkflowId STARTS_WITH 'order_'"] = r => r.WorkflowId.StartsWith("order_", StringComparison.Ordinal),
            ["WorkflowId STARTS_WITH 'order%'"] = _ => false,
            ["WorkflowId NOT STARTS_WITH 'order'"] = r => !r.WorkflowId.StartsWith("order", StringComparison.Ordinal),
            ["WorkflowId STARTS_WITH 'emoji😀'"] = r => r.WorkflowId.StartsWith("emoji😀", StringComparison.Ordinal),
            ["WorkflowId STARTS_WITH 'pay\"ment'"] = r => r.WorkflowId.StartsWith("pay\"ment", StringComparison.Ordinal),
            ["WorkflowId STARTS_WITH \"O'Reilly\""] = r => r.WorkflowId.StartsWith("O'Reilly", StringComparison.Ordinal),
            ["WorkflowId > 'order-100' AND WorkflowId <= 'order-150'"] = r => Compare(r.WorkflowId, "order-100") > 0 && Compare(r.WorkflowId, "order-150") <= 0,
            ["WorkflowId BETWEEN 'O' AND 'p'"] = r => Compare(r.WorkflowId, "O") >= 0 && Compare(r.WorkflowId, "p") <= 0,
            ["WorkflowId >= 'ünï' OR WorkflowId < 'O'"] = r => Compare(r.WorkflowId, "ünï") >= 0 || Compare(r.WorkflowId, "O") < 0,
            ["WorkflowId = 'O''Reilly-003'"] = r => r.WorkflowId == "O'Reilly-003",
            ["WorkflowId = \"pay\"\"ment-004\""] = r => r.WorkflowId == "pay\"ment-004",
            ["RunId = '" + exact.RunId + "'"] = r => r.RunId == exact.RunId,
            ["StartTime >= '2024-01-03T00:00:00Z' AND StartTime < '2024-01-05T12:00:00+02:00'"] =
                r => r.StartTime >= Time("2024-01-03T00:00:00Z") && r.StartTime < Time("2024-01-05T10:00:00Z"),
            ["StartTime = '" + WithNanos(exact.StartTime) + "'"] = r => r.StartTime == exact.StartTime,
            ["StartTime = " + (exact.StartTime * 1000 + 999)] = r => r.StartTime == exact.StartTime,
            ["CloseTime IS NULL"] = r => r.CloseTime is null,
            ["CloseTime IS NOT NULL AND ExecutionStatus = 'Running'"] = _ => false,
            ["CloseTime > '2024-01-05T00:00:00Z'"] = r => r.CloseTime > Time("2024-01-05T00:00:00Z"),
            ["NOT (CloseTime > '2024-01-05T00:00:00Z')"] = r => r.CloseTime is { } c && !(c > Time("2024-01-05T00:00:00Z")),
            ["CloseTime NOT BETWEEN '2024-01-02T00:00:00Z' AND '2024-01-06T00:00:00.5Z'"] =
                r => r.CloseTime is { } c && (c < Time("2024-01-02T00:00:00Z") || c > Time("2024-01-06T00:00:00.5Z")),
            ["ExecutionTime BETWEEN 1704153600000000000 AND 1704326400000000000"] =
                r => r.ExecutionTime >= 1704153600000000L && r.ExecutionTime <= 1704326400000000L,
            ["ExecutionDuration > '1h'"] = r => r.ExecutionDuration > 3_600_000_000_000L,
            ["ExecutionDuration <= '10:00:00'"] = r => r.ExecutionDuration <= 36_000_000_000_000L,
            ["ExecutionDuration < 3600000000000 OR ExecutionDuration IS NULL"] = r => r.ExecutionDuration is null || r.ExecutionDuration < 3_600_000_000_000L,
            ["HistoryLength > 100 AND HistoryLength NOT BETWEEN 200 AND 300"] = r => r.HistoryLength > 100 && r.HistoryLength is < 200 or > 300,
            ["StateTransitionCount >= 500 OR HistorySizeBytes < 50000"] = r => r.StateTransitionCount >= 500 || r.HistorySizeBytes < 50000,
            ["ParentWorkflowId IS NOT NULL"] = r => r.ParentWorkflowId is not null,
            ["ParentWorkflowId = 'parent-3'"] = r => r.ParentWorkflowId == "parent-3",
            ["ParentWorkflowId != 'parent-3'"] = r => r.ParentWorkflowId is { } p && p != "parent-3",
            ["RootWorkflowId = 'parent-5' AND ParentRunId = 'parent-run-5'"] = r => r.RootWorkflowId == "parent-5" && r.ParentRunId == "parent-run-5",
            ["CustomKeyword = 'alpha'"] = r => r.CustomKeyword == "alpha",
            ["CustomKeyword != 'alpha'"] = r => r.CustomKeyword is { } k && k != "alpha",
            ["CustomKeyword IS NULL"] = r => r.CustomKeyword is null,
            ["CustomKeyword = ''"] = r => r.CustomKeyword == "",
            ["CustomKeyword < 'beta'"] = r => r.CustomKeyword is { } k && Compare(k, "beta") < 0,
            ["CustomKeyword STARTS_WITH 'a%'"] = r => r.CustomKeyword?.StartsWith("a%", StringComparison.Ordinal) == true,
            ["CustomKeyword NOT STARTS_WITH 'a'"] = r => r.CustomKeyword is { } k && !k.StartsWith('a'),
            ["CustomKeyword IN ('it''s', 'über', 'gamma delta')"] = r => r.CustomKeyword is "it's" or "über" or "gamma delta",
            ["CustomKeyword NOT IN ('alpha', 'beta')"] = r => r.CustomKeyword is { } k && k is not ("alpha" or "beta"),
            ["NOT CustomKeyword = 'alpha' AND CustomKeyword BETWEEN 'A' AND 'b'"] =
                r => r.CustomKeyword is { } k && k != "alpha" && Compare(k, "A") >= 0 && Compare(k, "b") <= 0,
            ["CustomText = 'fox'"] = r => HasWords(r.CustomText, "fox"),
            ["CustomText = 'QUICK brown'"] = r => HasWords(r.CustomText, "quick", "brown"),
            ["CustomText != 'fox'"] = r => r.CustomText is { } t && !HasWords(t, "fox"),
            ["NOT CustomText = 'fox'"] = r => r.CustomText is { } t && !HasWords(t, "fox"),
            ["CustomText = 'école'"] = r => HasWords(r.CustomText, "école"),
            ["CustomText = 'cafe'"] = _ => false,
            ["CustomText = 'foo'"] = r => HasWords(r.CustomText, "foo"),
            ["CustomText = 'a@b.com'"] = r => HasWords(r.CustomText, "a", "b", "com"),
            ["CustomText = 'rc1 v1'"] = r => HasWords(r.CustomText, "rc1", "v1"),
            ["CustomText = '日本語'"] = r => HasWords(r.CustomText, "日本語"),
            ["CustomText = 'y'"] = r => HasWords(r.CustomText, "y"),
            ["CustomText IS NULL"] = r => r.CustomText is null,
            ["CustomInt > 10 AND CustomInt < 500"] = r => r.CustomInt is > 10 and < 500,
            ["CustomInt != 0"] = r => r.CustomInt is { } i && i != 0,
            ["CustomInt IN (1, 2, 3, -5)"] = r => r.CustomInt is 1 or 2 or 3 or -5,
            ["CustomInt BETWEEN -100 AND 100"] = r => r.CustomInt is >= -100 and <= 100,
            ["CustomInt >= 9223372036854775807"] = r => r.CustomInt == long.MaxValue,
            ["CustomInt = -9223372036854775808"] = r => r.CustomInt == long.MinValue,
            ["CustomInt IS NULL"] = r => r.CustomInt is null,
            ["CustomDouble > 0.5"] = r => r.CustomDouble > 0.5,
            ["CustomDouble <= -2.5"] = r => r.CustomDouble <= -2.5,
            ["CustomDouble = 1e10"] = r => r.CustomDouble == 1e10,
            ["CustomDouble = 2"] = r => r.CustomDouble == 2,
            ["CustomDouble BETWEEN 1 AND 2"] = r => r.CustomDouble is >= 1 and <= 2,
            ["CustomDouble != 0"] = r => r.CustomDouble is { } d && d != 0,
            ["CustomBool = true"] = r => r.CustomBool == true,
            ["CustomBool != TRUE"] = r => r.CustomBool == false,
            ["NOT CustomBool = false"] = r => r.CustomBool == true,
            ["CustomBool IS NULL"] = r => r.CustomBool is null,
            ["CustomBool IN (true, false)"] = r => r.CustomBool is not null,
            ["CustomDatetime > '2024-01-05T00:00:00Z'"] = r => r.CustomDatetime > Time("2024-01-05T00:00:00Z"),
            ["CustomDatetime BETWEEN '2024-01-02T00:00:00+01:00' AND 1704326400000000000"] =
                r => r.CustomDatetime >= Time("2024-01-01T23:00:00Z") && r.CustomDatetime <= 1704326400000000L,
            ["CustomDatetime = '" + WithNanos(exactCustom.CustomDatetime!.Value) + "'"] = r => r.CustomDatetime == exactCustom.CustomDatetime,
            ["CustomDatetime IS NOT NULL AND CustomDatetime < '2024-01-03T00:00:00Z'"] = r => r.CustomDatetime < Time("2024-01-03T00:00:00Z"),
            ["CustomKeywordList = 'red'"] = r => r.CustomKeywordList?.Contains("red") == true,
            ["CustomKeywordList != 'red'"] = r => r.CustomKeywordList is { } l && !l.Contains("red"),
            ["CustomKeywordList IN ('green', 'ü')"] = r => r.CustomKeywordList is { } l && (l.Contains("green") || l.Contains("ü")),
            ["CustomKeywordList NOT IN ('red', 'blue')"] = r => r.CustomKeywordList is { } l && !l.Contains("red") && !l.Contains("blue"),
            ["CustomKeywordList IS NULL"] = r => r.CustomKeywordList is null,
            ["CustomKeywordList = 'a b' OR CustomKeywordList = 'x%'"] = r => r.CustomKeywordList is { } l && (l.Contains("a b") || l.Contains("x%")),
            ["CustomKeywordList = 'x'"] = _ => false,
            ["`Dotted.Name` = 'v1'"] = r => r.DottedName == "v1",
            ["`O'Brien Ünïcode` > 3"] = r => r.OBrien > 3,
            ["TemporalChangeVersion = 'patch-1'"] = r => r.ChangeVersion?.Contains("patch-1") == true,
            ["TemporalChangeVersion != 'patch-2'"] = r => r.ChangeVersion is { } l && !l.Contains("patch-2"),
            ["BuildIds IS NOT NULL"] = r => r.BuildIds is not null,
            ["TemporalSchedulePaused = true"] = r => r.SchedulePaused == true,
            ["BatcherUser STARTS_WITH 'admin'"] = r => r.BatcherUser?.StartsWith("admin", StringComparison.Ordinal) == true,
            ["BatcherUser = 'admin@corp' OR BatcherUser IS NULL"] = r => r.BatcherUser is null or "admin@corp",
            ["(ExecutionStatus = 'Running' OR ExecutionStatus = 'Failed') AND NOT (CustomInt < 0 OR CustomKeyword = 'alpha') AND WorkflowType != 'PaymentWorkflow'"] =
                r => r.Status is 1 or 3 && NotLessThanZeroOrAlpha(r) && r.WorkflowType != "PaymentWorkflow",
            ["WorkflowType = 'OrderWorkflow' and not ExecutionStatus = 'Running' or TaskQueue in ('tq-a')"] =
                r => (r.WorkflowType == "OrderWorkflow" && r.Status != 1) || r.TaskQueue == "tq-a",
            ["WorkflowId = '''; DROP TABLE executions_visibility; --'"] = _ => false,
            ["WorkflowId = ''' OR ''1''=''1'"] = _ => false,
            ["CustomKeyword = 'alpha' OR WorkflowId = 'x'' OR 1=1) --'"] = r => r.CustomKeyword == "alpha",
        };
        return cases;
    }

    /// <summary>NOT (CustomInt &lt; 0 OR CustomKeyword = 'alpha') in three-valued logic: true only when the OR is false.</summary>
    private static bool NotLessThanZeroOrAlpha(SeedRow r)
    {
        bool? lessThanZero = r.CustomInt is { } i ? i < 0 : null;
        bool? alpha = r.CustomKeyword is { } k ? k == "alpha" : null;
        return lessThanZero == false && alpha == false;
    }

    /// <summary>Byte order of the UTF-8 encodings, which SQLite's BINARY and PostgreSQL's "C" collation both use.</summary>
    public static int Compare(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    public static long Time(string rfc3339) => SeedRow.Micros(DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture));

    /// <summary>RFC 3339 with nanoseconds below the stored microseconds (which the query truncates away).</summary>
    private static string WithNanos(long micros) =>
        SeedRow.FromMicros(micros).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "789Z";

    /// <summary>Text match written independently of TextMatch: words are runs of letters, digits and marks, lower-cased.</summary>
    private static bool HasWords(string? text, params string[] words)
    {
        if (text is null)
        {
            return false;
        }
        var have = NonWord().Split(text.ToLowerInvariant()).Where(w => w.Length > 0).ToHashSet(StringComparer.Ordinal);
        return words.All(have.Contains);
    }

    [GeneratedRegex(@"[^\p{L}\p{Nd}\p{M}]+")]
    private static partial Regex NonWord();
}
