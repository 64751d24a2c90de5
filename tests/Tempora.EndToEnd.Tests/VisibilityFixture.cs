using System.Globalization;
using System.Text;
using Tempora.Server;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;
using SaType = Tempora.Visibility.Query.SearchAttributeType;

namespace Tempora.EndToEnd.Tests;

/// <summary>The "Visibility" collection: the classes in it share one seeded <see cref="VisibilityFixture"/> server.</summary>
[CollectionDefinition(Name)]
public sealed class VisibilityCollection : ICollectionFixture<VisibilityFixture>
{
    /// <summary>Collection name used by <c>[Collection(VisibilityCollection.Name)]</c>.</summary>
    public const string Name = "Visibility";
}

/// <summary>Where a run's close time falls relative to the seeding phases.</summary>
public enum VisClosed
{
    /// <summary>Still running.</summary>
    Open,

    /// <summary>Closed before <see cref="VisibilityFixture.PhaseAEnd"/>.</summary>
    InPhaseA,

    /// <summary>Closed between <see cref="VisibilityFixture.PhaseAEnd"/> and <see cref="VisibilityFixture.PhaseBEnd"/>.</summary>
    InPhaseB,

    /// <summary>Closed (terminated or canceled) after <see cref="VisibilityFixture.PhaseBEnd"/>.</summary>
    InPhaseC,
}

/// <summary>One visibility row the seeding must have produced, with the values it was given (null: attribute absent).</summary>
public sealed record VisRow
{
    public required string WorkflowId { get; init; }

    public required string WorkflowType { get; init; }

    public required string TaskQueue { get; init; }

    public required WorkflowExecutionStatus Status { get; init; }

    /// <summary>'A' when started before <see cref="VisibilityFixture.PhaseAEnd"/>, 'B' when between the phase ends.</summary>
    public required char StartPhase { get; init; }

    /// <summary>Started with a one-hour start delay: its ExecutionTime is an hour after its StartTime.</summary>
    public bool Delayed { get; init; }

    public required VisClosed Closed { get; init; }

    /// <summary>The seed number of the vis-NNN workflows (children and continued runs keep their parent's), else null.</summary>
    public int? Seed { get; init; }

    public string? ParentWorkflowId { get; init; }

    public required string RootWorkflowId { get; init; }

    public string? Keyword { get; init; }

    public string? Text { get; init; }

    public long? Int { get; init; }

    public double? Double { get; init; }

    public bool? Bool { get; init; }

    public DateTimeOffset? Datetime { get; init; }

    public IReadOnlyList<string>? KeywordList { get; init; }

    /// <summary>VisRegion, the attribute added through OperatorService.AddSearchAttributes.</summary>
    public string? Region { get; init; }

    /// <summary>VisStage, only ever set by the workflow itself (UpsertTypedSearchAttributes).</summary>
    public string? Stage { get; init; }

    /// <summary>Memo "note" (and "n" = <see cref="Seed"/>) when the run was started with a memo.</summary>
    public string? MemoNote { get; init; }

    /// <summary>Memo "stage" when the workflow upserted it.</summary>
    public string? MemoStage { get; init; }

    /// <summary>Workflow id and status: unique among the seeded rows (a continued workflow has two runs of different status).</summary>
    public string Key => VisibilityFixture.KeyOf(WorkflowId, Status);
}

/// <summary>
/// A server of its own (own store, so every count is exact) seeded through the SDK with a few hundred runs: several
/// workflow types and task queues, every outcome, custom search attributes of every type (registered at start and
/// through OperatorService) set at start and upserted by workflows, memos. <see cref="Rows"/> is what must be there.
/// Seeding runs in phases whose end instants (<see cref="PhaseAEnd"/>, <see cref="PhaseBEnd"/>) bound start and close
/// times, so time-range queries have exact expected sets.
/// </summary>
public sealed class VisibilityFixture : IAsyncLifetime
{
    public const string QueueA = "vis-queue-a";
    public const string QueueB = "vis-queue-b";

    /// <summary>No worker polls it: its runs never make progress.</summary>
    public const string QueueParked = "vis-queue-parked";

    /// <summary>A second namespace (also created at start, so it has the same custom attributes but not VisRegion).</summary>
    public const string OtherNamespace = "vis-other";

    public const int SeedCount = 300;

    /// <summary>Seeds below this start in phase A, the rest in phase B.</summary>
    public const int PhaseBFirstSeed = 150;

    public const int ParkedCount = 10;

    /// <summary>Run timeout of the parked run that times out in phase A.</summary>
    public static readonly TimeSpan TimeoutRunTimeout = TimeSpan.FromSeconds(1);

    public static readonly SearchAttributeKey<string> KeywordKey = SearchAttributeKey.CreateKeyword("VisKeyword");
    public static readonly SearchAttributeKey<string> TextKey = SearchAttributeKey.CreateText("VisText");
    public static readonly SearchAttributeKey<long> IntKey = SearchAttributeKey.CreateLong("VisInt");
    public static readonly SearchAttributeKey<double> DoubleKey = SearchAttributeKey.CreateDouble("VisDouble");
    public static readonly SearchAttributeKey<bool> BoolKey = SearchAttributeKey.CreateBool("VisBool");
    public static readonly SearchAttributeKey<DateTimeOffset> DatetimeKey = SearchAttributeKey.CreateDateTimeOffset("VisDatetime");
    public static readonly SearchAttributeKey<IReadOnlyCollection<string>> KeywordListKey = SearchAttributeKey.CreateKeywordList("VisKeywordList");
    public static readonly SearchAttributeKey<string> StageKey = SearchAttributeKey.CreateKeyword("VisStage");
    public static readonly SearchAttributeKey<string> RegionKey = SearchAttributeKey.CreateKeyword("VisRegion");

    /// <summary>Registered through <see cref="TemporaOptions.SearchAttributes"/> in every namespace created at start.</summary>
    public static readonly IReadOnlyDictionary<string, SaType> StartAttributes = new Dictionary<string, SaType>
    {
        ["VisKeyword"] = SaType.Keyword,
        ["VisText"] = SaType.Text,
        ["VisInt"] = SaType.Int,
        ["VisDouble"] = SaType.Double,
        ["VisBool"] = SaType.Bool,
        ["VisDatetime"] = SaType.Datetime,
        ["VisKeywordList"] = SaType.KeywordList,
        ["VisStage"] = SaType.Keyword,
    };

    /// <summary>Workflow ids that need escaping or byte-exact matching (quotes, non-ASCII, LIKE wildcards, a backslash).</summary>
    public static readonly IReadOnlyList<string> SpecialIds =
    [
        "it's-ü-Straße-ünïcødé",
        "say \"hi\" twice",
        "pct%-und_er",
        "emoji-😀-run",
        @"back\slash",
    ];

    public static readonly DateTimeOffset DatetimeBase = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Colors = ["red", "green", "blue", "Red"];
    private static readonly string[] Animals = ["fox", "owl", "cat", "dog", "fox bat"];
    private static readonly string[] Regions = ["eu", "us", "ap"];

    private readonly IMessageSink _diagnostics;
    private readonly TestDatabase _database = new("visibility");
    private readonly List<string> _steps = [];
    private readonly System.Diagnostics.Stopwatch _stepTime = new();
    private TemporaServer? _server;
    private TemporalClient? _client;

    public VisibilityFixture(IMessageSink diagnostics) => _diagnostics = diagnostics;

    public TemporaServer Server => _server ?? throw new InvalidOperationException("Server not started");

    /// <summary>Client in namespace <c>default</c>, where the seeded runs live.</summary>
    public TemporalClient Client => _client ?? throw new InvalidOperationException("Client not connected");

    /// <summary>Every run the seeding produced in namespace default.</summary>
    public IReadOnlyList<VisRow> Rows { get; private set; } = [];

    /// <summary>What ListWorkflowExecutions("") returned right after seeding, by <see cref="VisRow.Key"/> (duplicates: last wins).</summary>
    public IReadOnlyDictionary<string, WorkflowExecutionInfo> Observed { get; private set; } = new Dictionary<string, WorkflowExecutionInfo>();

    /// <summary>Number of rows the unfiltered list returned right after seeding (to catch duplicates).</summary>
    public int ObservedCount { get; private set; }

    /// <summary>After every phase-A run that was to finish had closed, before phase B started.</summary>
    public DateTimeOffset PhaseAEnd { get; private set; }

    /// <summary>After every phase-B run that was to finish had closed, before phase C terminated and canceled runs.</summary>
    public DateTimeOffset PhaseBEnd { get; private set; }

    /// <summary>How long seeding took (reported in diagnostics).</summary>
    public TimeSpan SeedTime { get; private set; }

    /// <summary>How long each step of the seeding took, for the test output.</summary>
    public string SeedSteps => string.Join(", ", _steps);

    public static string KeyOf(string workflowId, WorkflowExecutionStatus status) => $"{workflowId} / {status}";

    /// <summary>The observed list entry of a row.</summary>
    public WorkflowExecutionInfo ObservedOf(VisRow row) =>
        Observed.TryGetValue(row.Key, out var execution) ? execution : throw new InvalidOperationException($"{row.Key} was not listed after seeding");

    /// <summary>A Datetime literal of the list filter, microsecond precision, UTC.</summary>
    public static string Literal(DateTimeOffset time) =>
        "'" + time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "'";

    /// <summary>Compares strings the way the stores order Keyword values: by UTF-8 bytes.</summary>
    public static int CompareUtf8(string a, string b) =>
        Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    public async Task InitializeAsync()
    {
        var started = DateTime.UtcNow;
        _stepTime.Start();
        _server = await ServerFixture.StartServerAsync(
            _database.Apply(new TemporaOptions
            {
                Ip = "127.0.0.1",
                Port = 0,
                UiPort = 0,
                MetricsPort = 0,
                Headless = true,
                Namespaces = [OtherNamespace],
                SearchAttributes = StartAttributes,
            }),
            "visibility",
            _diagnostics);
        _client = await ServerFixture.ConnectAsync(_server);
        await _client.Connection.OperatorService.AddSearchAttributesAsync(new AddSearchAttributesRequest
        {
            Namespace = "default",
            SearchAttributes = { ["VisRegion"] = IndexedValueType.Keyword },
        });

        Step("server");
        using var workerA = new TemporalWorker(_client, AddWorkflows(new TemporalWorkerOptions(QueueA)));
        using var workerB = new TemporalWorker(_client, AddWorkflows(new TemporalWorkerOptions(QueueB)));
        await workerA.ExecuteAsync(() => workerB.ExecuteAsync(SeedAsync));

        var observed = new Dictionary<string, WorkflowExecutionInfo>();
        var count = 0;
        var token = Google.Protobuf.ByteString.Empty;
        do
        {
            var page = await _client.Connection.WorkflowService.ListWorkflowExecutionsAsync(
                new ListWorkflowExecutionsRequest { Namespace = "default", PageSize = 100, NextPageToken = token });
            foreach (var execution in page.Executions)
            {
                observed[KeyOf(execution.Execution.WorkflowId, execution.Status)] = execution;
                count++;
            }
            token = page.NextPageToken;
        }
        while (!token.IsEmpty);
        Observed = observed;
        ObservedCount = count;
        Step("list");
        SeedTime = DateTime.UtcNow - started;
        _diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage(
            $"[visibility] seeded {Rows.Count} runs in {SeedTime.TotalSeconds:0.0}s ({(TestDatabase.UsePostgres ? "postgres" : "sqlite")})"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await ServerFixture.StopAsync(_server);
            _server = null;
        }
        _database.Dispose();
    }

    /// <summary>The workflows of the seeding (also used by the other visibility test classes).</summary>
    public static TemporalWorkerOptions AddWorkflows(TemporalWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddWorkflow<VisQuickWorkflow>().AddWorkflow<VisFailWorkflow>().AddWorkflow<VisWaitWorkflow>()
            .AddWorkflow<VisContinueWorkflow>().AddWorkflow<VisParentWorkflow>().AddWorkflow<VisChildWorkflow>()
            .AddWorkflow<VisUpsertUnknownWorkflow>();
        return options;
    }

    private enum Kind
    {
        Quick,
        QuickUpsert,
        Fail,
        Terminate,
        Cancel,
        Running,
        ContinueAsNew,
        Parent,
        Special,
        ParkedRunning,
        ParkedTerminate,
        Delayed,
        TimesOut,
    }

    /// <summary>One workflow the seeding starts.</summary>
    private sealed record Seed(string Id, int? Number, Kind Kind, string TaskQueue, char Phase, VisRow Template, bool UpsertStage);

    private static Seed PlanSeed(int i)
    {
        var kind = (i % 10) switch
        {
            0 or 2 or 3 => Kind.Quick,
            1 => Kind.QuickUpsert,
            4 => Kind.Fail,
            5 => Kind.Terminate,
            6 => Kind.Cancel,
            7 => Kind.Running,
            8 => Kind.ContinueAsNew,
            _ => Kind.Parent,
        };
        var phase = i < PhaseBFirstSeed ? 'A' : 'B';
        var id = $"vis-{i:D3}";
        var template = new VisRow
        {
            WorkflowId = id,
            WorkflowType = "",
            TaskQueue = i % 3 == 0 ? QueueB : QueueA,
            Status = WorkflowExecutionStatus.Unspecified,
            StartPhase = phase,
            Closed = VisClosed.Open,
            Seed = i,
            RootWorkflowId = id,
            Keyword = i % 11 == 0 ? null : $"kw-{i % 7}",
            Text = i % 13 == 0 ? null : $"{Colors[i % 4]} {Animals[i % 5]}, order-{i}",
            Int = i % 17 == 0 ? null : i,
            Double = i % 19 == 0 ? null : (i - 100) * 0.25,
            Bool = i % 23 == 0 ? null : i % 3 == 0,
            Datetime = i % 29 == 0 ? null : DatetimeBase.AddHours(i).AddMilliseconds(i),
            KeywordList = i % 31 == 0 ? null : i % 8 == 0 ? ["solo"] : [$"tag-{i % 4}", $"grp-{i % 6}"],
            Region = i % 2 == 0 ? Regions[i % 3] : null,
            MemoNote = i % 4 == 0 ? $"memo-{i}" : null,
        };
        var upsertStage = kind is Kind.Terminate or Kind.Cancel or Kind.Running && (i / 10) % 2 == 0;
        return new Seed(id, i, kind, template.TaskQueue, phase, template, upsertStage);
    }

    private static IEnumerable<Seed> PlanExtras()
    {
        foreach (var id in SpecialIds)
        {
            yield return new Seed(id, null, Kind.Special, QueueA, 'A', new VisRow
            {
                WorkflowId = id,
                WorkflowType = "",
                TaskQueue = QueueA,
                Status = WorkflowExecutionStatus.Unspecified,
                StartPhase = 'A',
                Closed = VisClosed.Open,
                RootWorkflowId = id,
                Keyword = "special",
                Text = "Grüße aus München, naïve café",
            }, false);
        }
        for (var j = 0; j < ParkedCount; j++)
        {
            var id = $"parked-{j:D2}";
            yield return new Seed(id, null, j % 2 == 0 ? Kind.ParkedTerminate : Kind.ParkedRunning, QueueParked, 'A', new VisRow
            {
                WorkflowId = id,
                WorkflowType = "",
                TaskQueue = QueueParked,
                Status = WorkflowExecutionStatus.Unspecified,
                StartPhase = 'A',
                Closed = VisClosed.Open,
                RootWorkflowId = id,
                Keyword = "parked",
                Int = 1000 + j,
            }, false);
        }
        foreach (var (id, kind) in new[] { ("delayed-00", Kind.Delayed), ("timeout-00", Kind.TimesOut) })
        {
            yield return new Seed(id, null, kind, QueueParked, 'A', new VisRow
            {
                WorkflowId = id,
                WorkflowType = "",
                TaskQueue = QueueParked,
                Status = WorkflowExecutionStatus.Unspecified,
                StartPhase = 'A',
                Closed = VisClosed.Open,
                RootWorkflowId = id,
                Keyword = id,
            }, false);
        }
    }

    /// <summary>The rows a seed leaves behind once seeding is over.</summary>
    private static IEnumerable<VisRow> RowsOf(Seed s)
    {
        var t = s.Template;
        var closedAtPhaseEnd = s.Phase == 'A' ? VisClosed.InPhaseA : VisClosed.InPhaseB;
        var stage = s.UpsertStage ? "waiting" : null;
        switch (s.Kind)
        {
            case Kind.Quick or Kind.Special:
                yield return t with { WorkflowType = nameof(VisQuickWorkflow), Status = WorkflowExecutionStatus.Completed, Closed = closedAtPhaseEnd };
                break;
            case Kind.QuickUpsert:
                yield return t with
                {
                    WorkflowType = nameof(VisQuickWorkflow),
                    Status = WorkflowExecutionStatus.Completed,
                    Closed = closedAtPhaseEnd,
                    Int = s.Number!.Value + 1000,
                    Stage = "upserted",
                    Bool = null,
                    KeywordList = null,
                    MemoStage = "upserted",
                };
                break;
            case Kind.Fail:
                yield return t with { WorkflowType = nameof(VisFailWorkflow), Status = WorkflowExecutionStatus.Failed, Closed = closedAtPhaseEnd };
                break;
            case Kind.Terminate:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.Terminated, Closed = VisClosed.InPhaseC, Stage = stage };
                break;
            case Kind.Cancel:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.Canceled, Closed = VisClosed.InPhaseC, Stage = stage };
                break;
            case Kind.Running:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.Running, Stage = stage };
                break;
            case Kind.ParkedRunning:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.Running };
                break;
            case Kind.Delayed:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.Running, Delayed = true };
                break;
            case Kind.TimesOut:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.TimedOut, Closed = VisClosed.InPhaseA };
                break;
            case Kind.ParkedTerminate:
                yield return t with { WorkflowType = nameof(VisWaitWorkflow), Status = WorkflowExecutionStatus.Terminated, Closed = VisClosed.InPhaseC };
                break;
            case Kind.ContinueAsNew:
                // The second run inherits memo and search attributes (nothing set on the continue-as-new command).
                yield return t with { WorkflowType = nameof(VisContinueWorkflow), Status = WorkflowExecutionStatus.ContinuedAsNew, Closed = closedAtPhaseEnd };
                yield return t with { WorkflowType = nameof(VisContinueWorkflow), Status = WorkflowExecutionStatus.Completed, Closed = closedAtPhaseEnd };
                break;
            case Kind.Parent:
                yield return t with { WorkflowType = nameof(VisParentWorkflow), Status = WorkflowExecutionStatus.Completed, Closed = closedAtPhaseEnd };
                yield return new VisRow
                {
                    WorkflowId = t.WorkflowId + "-child",
                    WorkflowType = nameof(VisChildWorkflow),
                    TaskQueue = t.TaskQueue,
                    Status = WorkflowExecutionStatus.Completed,
                    StartPhase = t.StartPhase,
                    Closed = closedAtPhaseEnd,
                    Seed = t.Seed,
                    ParentWorkflowId = t.WorkflowId,
                    RootWorkflowId = t.WorkflowId,
                };
                break;
            default:
                throw new InvalidOperationException(s.Kind.ToString());
        }
    }

    private async Task SeedAsync()
    {
        var seeds = Enumerable.Range(0, SeedCount).Select(PlanSeed).Concat(PlanExtras()).ToList();
        Rows = seeds.SelectMany(RowsOf).ToList();
        var handles = new Dictionary<Seed, WorkflowHandle>();

        // Phase A, then phase B: start every seed of the phase at once, then wait for those meant to finish.
        foreach (var phase in new[] { 'A', 'B' })
        {
            var phaseSeeds = seeds.Where(s => s.Phase == phase).ToList();
            var started = await Task.WhenAll(phaseSeeds.Select(StartAsync)).WithTimeout($"phase {phase} starts", TimeSpan.FromSeconds(60));
            Step($"phase {phase} starts");
            for (var k = 0; k < phaseSeeds.Count; k++)
            {
                handles[phaseSeeds[k]] = started[k];
            }
            await Task.WhenAll(phaseSeeds.Where(s => s.Kind is Kind.Quick or Kind.QuickUpsert or Kind.Fail or Kind.ContinueAsNew or Kind.Parent or Kind.Special or Kind.TimesOut)
                .Select(s => WaitClosedAsync(handles[s]))).WithTimeout($"phase {phase} runs to finish", TimeSpan.FromSeconds(60));
            Step($"phase {phase} closes");
            await Task.Delay(5);
            if (phase == 'A')
            {
                PhaseAEnd = DateTimeOffset.UtcNow;
            }
            else
            {
                PhaseBEnd = DateTimeOffset.UtcNow;
            }
            await Task.Delay(5);
        }

        // The waiting runs upsert VisStage in their first workflow task; see it land before closing some of them.
        var upserting = seeds.Count(s => s.UpsertStage);
        await Wait.UntilAsync(
            async () => (await Client.CountWorkflowsAsync("VisStage = 'waiting'")).Count,
            c => c == upserting,
            $"{upserting} waiting runs to upsert VisStage",
            TimeSpan.FromSeconds(60));
        Step("upserts");

        // Phase C: terminate and cancel.
        await Task.WhenAll(seeds.Where(s => s.Kind is Kind.Terminate or Kind.ParkedTerminate)
            .Select(s => handles[s].TerminateAsync("phase C"))).WithTimeout("terminations", TimeSpan.FromSeconds(60));
        await Task.WhenAll(seeds.Where(s => s.Kind == Kind.Cancel).Select(async s =>
        {
            await handles[s].CancelAsync();
            await WaitClosedAsync(handles[s]);
        })).WithTimeout("cancellations", TimeSpan.FromSeconds(60));
        Step("phase C");
    }

    private void Step(string name)
    {
        _steps.Add($"{name} {_stepTime.Elapsed.TotalSeconds:0.00}s");
        _stepTime.Restart();
    }

    private Task<WorkflowHandle> StartAsync(Seed s)
    {
        var t = s.Template;
        var attributes = new SearchAttributeCollection.Builder();
        if (t.Keyword is { } keyword)
        {
            attributes.Set(KeywordKey, keyword);
        }
        if (t.Text is { } text)
        {
            attributes.Set(TextKey, text);
        }
        if (t.Int is { } number)
        {
            attributes.Set(IntKey, number);
        }
        if (t.Double is { } d)
        {
            attributes.Set(DoubleKey, d);
        }
        if (t.Bool is { } b)
        {
            attributes.Set(BoolKey, b);
        }
        if (t.Datetime is { } time)
        {
            attributes.Set(DatetimeKey, time);
        }
        if (t.KeywordList is { } list)
        {
            attributes.Set(KeywordListKey, list);
        }
        if (t.Region is { } region)
        {
            attributes.Set(RegionKey, region);
        }
        var options = new WorkflowOptions(s.Id, s.TaskQueue) { TypedSearchAttributes = attributes.ToSearchAttributeCollection() };
        if (t.MemoNote is { } note)
        {
            options.Memo = new Dictionary<string, object> { ["note"] = note, ["n"] = s.Number ?? -1 };
        }
        if (s.Kind == Kind.Delayed)
        {
            options.StartDelay = TimeSpan.FromHours(1);
        }
        if (s.Kind == Kind.TimesOut)
        {
            options.RunTimeout = TimeoutRunTimeout;
        }
        var n = s.Number ?? -1;
        return s.Kind switch
        {
            Kind.Quick or Kind.Special => Start((VisQuickWorkflow wf) => wf.RunAsync(n, false)),
            Kind.QuickUpsert => Start((VisQuickWorkflow wf) => wf.RunAsync(n, true)),
            Kind.Fail => Start((VisFailWorkflow wf) => wf.RunAsync()),
            Kind.Terminate or Kind.Cancel or Kind.Running or Kind.ParkedRunning or Kind.ParkedTerminate or Kind.Delayed or Kind.TimesOut =>
                Start((VisWaitWorkflow wf) => wf.RunAsync(s.UpsertStage)),
            Kind.ContinueAsNew => Start((VisContinueWorkflow wf) => wf.RunAsync(0)),
            Kind.Parent => Start((VisParentWorkflow wf) => wf.RunAsync()),
            _ => throw new InvalidOperationException(s.Kind.ToString()),
        };

        async Task<WorkflowHandle> Start<TWorkflow>(System.Linq.Expressions.Expression<Func<TWorkflow, Task>> run) =>
            await Client.StartWorkflowAsync(run, options);
    }

    private static async Task WaitClosedAsync(WorkflowHandle handle)
    {
        try
        {
            await handle.GetResultAsync();
        }
        catch (WorkflowFailedException)
        {
            // Failed and canceled runs are part of the plan.
        }
    }
}

/// <summary>
/// Completes at once; with <c>upsert</c> it first sets VisInt (seed + 1000) and VisStage, removes VisBool and
/// VisKeywordList, and sets memo "stage".
/// </summary>
[Workflow]
public sealed class VisQuickWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(int seed, bool upsert)
    {
        if (upsert)
        {
            Workflow.UpsertTypedSearchAttributes(
                VisibilityFixture.IntKey.ValueSet(seed + 1000),
                VisibilityFixture.StageKey.ValueSet("upserted"),
                VisibilityFixture.BoolKey.ValueUnset(),
                VisibilityFixture.KeywordListKey.ValueUnset());
            Workflow.UpsertMemo(MemoUpdate.ValueSet("stage", "upserted"));
        }
        return Task.FromResult($"done-{seed}");
    }
}

/// <summary>Fails at once with a non-retryable application failure.</summary>
[Workflow]
public sealed class VisFailWorkflow
{
    [WorkflowRun]
    public Task RunAsync() => throw new ApplicationFailureException("seeded failure", nonRetryable: true);
}

/// <summary>Optionally upserts VisStage = waiting, then waits until terminated or canceled.</summary>
[Workflow]
public sealed class VisWaitWorkflow
{
    [WorkflowRun]
    public async Task RunAsync(bool upsertStage)
    {
        if (upsertStage)
        {
            Workflow.UpsertTypedSearchAttributes(VisibilityFixture.StageKey.ValueSet("waiting"));
        }
        await Workflow.WaitConditionAsync(() => false);
    }
}

/// <summary>Continues as new once (memo and search attributes left to the default: the current ones), then completes.</summary>
[Workflow]
public sealed class VisContinueWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(int iteration)
    {
        if (iteration == 0)
        {
            throw Workflow.CreateContinueAsNewException((VisContinueWorkflow wf) => wf.RunAsync(1));
        }
        return Task.FromResult("continued");
    }
}

/// <summary>Runs one child ("{id}-child") to completion.</summary>
[Workflow]
public sealed class VisParentWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() =>
        Workflow.ExecuteChildWorkflowAsync((VisChildWorkflow wf) => wf.RunAsync(), new() { Id = Workflow.Info.WorkflowId + "-child" });
}

/// <summary>The child of <see cref="VisParentWorkflow"/>.</summary>
[Workflow]
public sealed class VisChildWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Task.FromResult("child");
}

/// <summary>
/// Upserts a search attribute no namespace registered (or, with <c>wrongType</c>, a string into the Int VisInt), then
/// waits: the server fails its workflow task with BadSearchAttributes.
/// </summary>
[Workflow]
public sealed class VisUpsertUnknownWorkflow
{
    public static readonly SearchAttributeKey<string> UnknownKey = SearchAttributeKey.CreateKeyword("VisNeverRegistered");
    public static readonly SearchAttributeKey<string> WrongTypeKey = SearchAttributeKey.CreateKeyword("VisInt");

    [WorkflowRun]
    public async Task RunAsync(bool wrongType)
    {
        Workflow.UpsertTypedSearchAttributes(wrongType ? WrongTypeKey.ValueSet("not a number") : UnknownKey.ValueSet("boom"));
        await Workflow.WaitConditionAsync(() => false);
    }
}
