namespace Tempora.Visibility.Query.Tests;

/// <summary>
/// ~200 runs of one namespace (plus a few of another, which no query may return): every status, several types and
/// task queues, open and closed runs, parents, and custom attributes of every type with missing values, unicode,
/// quotes and LIKE wildcards in them. Generated from a fixed seed so every run of the tests sees the same rows. A few
/// rows of server-side divisions follow: schedules (as ScheduleVisibility writes them) and a batch operation.
/// </summary>
internal static class SeedData
{
    public const string Namespace = "ns-main";
    public const string OtherNamespace = "ns-other";

    /// <summary>2024-01-01T00:00:00Z in unix microseconds.</summary>
    public static readonly long BaseTime = SeedRow.Micros(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static readonly string[] WorkflowIdPrefixes = ["order-", "order_%", "ünï-", "O'Reilly-", "pay\"ment-", "emoji😀-", "Order-"];
    public static readonly string[] Types = ["OrderWorkflow", "PaymentWorkflow", "ShippingWorkflow", "Ünïcode工作流"];
    public static readonly string[] TaskQueues = ["tq-a", "tq-b", "tq-ü"];
    public static readonly string?[] Keywords = ["alpha", "beta", "Alpha", "gamma delta", "über", "a%b_c", "it's", "", "zeta", null, null];
    public static readonly string?[] Texts =
    [
        "The quick brown fox", "jumps over the lazy dog", "Hello-World foo_bar", "contact a@b.com today",
        "École naïve CAFÉ", "日本語 テキスト", "x😀y fox", "QUICK fox, brown!", "release v1.2.3-rc1", null, null,
    ];
    public static readonly string[] ListValues = ["red", "green", "blue", "ü", "a b", "x%"];
    public static readonly double?[] Doubles = [0.1, -2.5, 1e10, 1.5, 2, 0, -0.000001, 123.456, null];
    public static readonly string?[] BatcherUsers = ["admin@corp", "admin2", "ops", null, null, null];

    /// <summary>The schedule ids of <see cref="DivisionRows"/> in <see cref="Namespace"/>.</summary>
    public static readonly string[] ScheduleIds = ["nightly-report", "hourly-sync", "O'Brien's", "order-cleanup", "paused-one"];

    public static readonly IReadOnlyList<SeedRow> Rows = Generate();

    /// <summary>The rows of <see cref="Namespace"/>, the only ones a query may return.</summary>
    public static IEnumerable<SeedRow> Main => Rows.Where(r => r.NamespaceId == Namespace);

    /// <summary>Replaces some attributes by values of another JSON type, which every query must treat as missing.</summary>
    private static SeedRow WithStaleValues(SeedRow row, int variant) => variant switch
    {
        0 => row with { CustomInt = null, CustomBool = null, StaleJson = new Dictionary<string, string> { ["CustomInt"] = "\"12\"", ["CustomBool"] = "\"true\"" } },
        1 => row with { CustomKeyword = null, CustomDatetime = null, StaleJson = new Dictionary<string, string> { ["CustomKeyword"] = "5", ["CustomDatetime"] = "1704067200" } },
        2 => row with { CustomKeywordList = null, CustomText = null, StaleJson = new Dictionary<string, string> { ["CustomKeywordList"] = "\"red\"", ["CustomText"] = "[\"fox\"]" } },
        3 => row with { CustomDouble = null, DottedName = null, StaleJson = new Dictionary<string, string> { ["CustomDouble"] = "\"1.5\"", ["Dotted.Name"] = "true" } },
        _ => row with { ChangeVersion = null, CustomInt = null, StaleJson = new Dictionary<string, string> { ["TemporalChangeVersion"] = "\"patch-1\"", ["CustomInt"] = "{\"a\": 1}" } },
    };

    private static List<SeedRow> Generate()
    {
        var random = new Random(20240501);
        var rows = new List<SeedRow>();
        for (var i = 0; i < 220; i++)
        {
            var ns = i < 200 ? Namespace : OtherNamespace;
            var status = i % 7 + 1;
            var start = BaseTime + i * 3_600_000_000L + random.Next(0, 1_000_000);
            var execution = i % 3 == 0 ? start + 60_000_000 : start;
            long? close = status == 1 ? null : execution + random.Next(1, 100_000) * 1_000_000L + random.Next(0, 1_000_000);
            var workflowId = WorkflowIdPrefixes[i % WorkflowIdPrefixes.Length] + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
            var runId = $"run-{i:D3}-{random.Next():x8}";
            var hasParent = i % 4 == 1;
            string[]? List(string[] pool, int chance)
            {
                if (random.Next(chance) == 0)
                {
                    return null;
                }
                return random.Next(8) == 0 ? [] : pool.Where(_ => random.Next(3) == 0).ToArray();
            }
            var row = new SeedRow
            {
                NamespaceId = ns,
                RunId = runId,
                WorkflowId = workflowId,
                WorkflowType = Types[random.Next(Types.Length)],
                Status = status,
                StartTime = start,
                ExecutionTime = execution,
                CloseTime = close,
                TaskQueue = TaskQueues[random.Next(TaskQueues.Length)],
                HistoryLength = random.Next(1, 500),
                HistorySizeBytes = random.Next(100, 1_000_000),
                ExecutionDuration = close is { } c ? (c - execution) * 1000 : null,
                StateTransitionCount = random.Next(1, 1000),
                ParentWorkflowId = hasParent ? $"parent-{i % 10}" : null,
                ParentRunId = hasParent ? $"parent-run-{i % 10}" : null,
                RootWorkflowId = hasParent ? $"parent-{i % 10}" : workflowId,
                RootRunId = hasParent ? $"parent-run-{i % 10}" : runId,
                CustomKeyword = Keywords[random.Next(Keywords.Length)],
                CustomText = Texts[random.Next(Texts.Length)],
                CustomInt = (i % 50) switch
                {
                    7 => long.MaxValue,
                    8 => long.MinValue,
                    _ when random.Next(5) == 0 => null,
                    _ => random.Next(-1000, 1000),
                },
                CustomDouble = Doubles[random.Next(Doubles.Length)],
                CustomBool = random.Next(3) switch { 0 => null, 1 => true, _ => false },
                CustomDatetime = random.Next(4) == 0 ? null : BaseTime + random.Next(0, 10 * 24 * 3600) * 1_000_000L + random.Next(0, 1_000_000),
                CustomKeywordList = List(ListValues, 4),
                DottedName = random.Next(3) switch { 0 => null, 1 => "v1", _ => "v2" },
                OBrien = random.Next(2) == 0 ? null : random.Next(0, 10),
                ChangeVersion = List(["patch-1", "patch-2"], 2),
                BuildIds = random.Next(5) == 0 ? ["build-1"] : null,
                SchedulePaused = random.Next(4) switch { 0 => true, 1 => false, _ => null },
                BatcherUser = BatcherUsers[random.Next(BatcherUsers.Length)],
            };
            rows.Add(i % 11 == 4 ? WithStaleValues(row, i / 11 % 5) : row);
        }
        rows.AddRange(DivisionRows());
        return rows;
    }

    /// <summary>Running rows with a TemporalNamespaceDivision: only queries that name the division may return them.</summary>
    private static IEnumerable<SeedRow> DivisionRows()
    {
        SeedRow Division(string ns, int n, string workflowId, string type, string division) => new()
        {
            NamespaceId = ns,
            RunId = $"run-div-{n:D2}",
            WorkflowId = workflowId,
            WorkflowType = type,
            Status = 1,
            StartTime = BaseTime + n * 60_000_000L,
            ExecutionTime = BaseTime + n * 60_000_000L,
            TaskQueue = "temporal-sys-per-ns-tq",
            HistoryLength = 0,
            HistorySizeBytes = 0,
            StateTransitionCount = 0,
            RootWorkflowId = workflowId,
            RootRunId = $"run-div-{n:D2}",
            NamespaceDivision = division,
        };
        for (var i = 0; i < ScheduleIds.Length; i++)
        {
            yield return Division(Namespace, i, ScheduleVisibility.WorkflowId(ScheduleIds[i]), ScheduleVisibility.WorkflowType, ScheduleVisibility.NamespaceDivision) with
            {
                SchedulePaused = ScheduleIds[i] == "paused-one" || i == 1,
                CustomKeyword = i % 2 == 0 ? "alpha" : null,
                CustomInt = i * 10,
            };
        }
        yield return Division(Namespace, 10, "batch-job-1", "temporal-sys-batch-workflow", "TemporalBatcher") with { CustomKeyword = "alpha" };
        yield return Division(OtherNamespace, 11, ScheduleVisibility.WorkflowId("nightly-report"), ScheduleVisibility.WorkflowType,
            ScheduleVisibility.NamespaceDivision) with
        { SchedulePaused = false, CustomKeyword = "alpha" };
    }
}
