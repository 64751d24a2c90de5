using System.CommandLine;

namespace Tempora.Bench;

/// <summary>The driver's flags. Three modes: the load run (default), <c>--measure-startup</c> and <c>--scale</c>.</summary>
internal sealed class BenchCommand : RootCommand
{
    private readonly Option<string> _address = new("--address") { Description = "host:port of the server's gRPC frontend", DefaultValueFactory = _ => "127.0.0.1:7233" };
    private readonly Option<string> _namespace = new("--namespace") { Description = "Namespace to run in", DefaultValueFactory = _ => "default" };
    private readonly Option<int> _workflows = new("--workflows") { Description = "Workflows to run (measured; the warm-up is extra)", DefaultValueFactory = _ => 2000 };
    private readonly Option<int> _concurrency = new("--concurrency") { Description = "At most this many start requests in flight; results are awaited without a cap", DefaultValueFactory = _ => 100 };
    private readonly Option<int> _activities = new("--activities") { Description = "No-op activities each workflow runs one after the other", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _payloadBytes = new("--payload-bytes") { Description = "Length of each workflow's input string (at least the digits of its index)", DefaultValueFactory = _ => 16 };
    private readonly Option<string> _taskQueue = new("--task-queue") { Description = "Task queue (default: a new one per run)" };
    private readonly Option<string> _label = new("--label") { Description = "Free text copied into the JSON line", DefaultValueFactory = _ => "" };
    private readonly Option<string> _store = new("--store") { Description = "The server's store, copied into the JSON line (sqlite, postgres)", DefaultValueFactory = _ => "unknown" };
    private readonly Option<int?> _serverPid = new("--server-pid") { Description = "Pid of the server: its RSS and CPU time are sampled from /proc every 250 ms" };
    private readonly Option<int?> _dbPid = new("--db-pid") { Description = "Pid of a PostgreSQL postmaster: it and its backends are sampled too (summed PSS, CPU)" };
    private readonly Option<string> _pgStats = new("--pg-stats") { Description = "Npgsql connection string to the server's main database: commits, WAL bytes and WAL syncs per workflow are read from PostgreSQL's counters" };
    private readonly Option<string> _pgVisibilityDatabase = new("--pg-visibility-database") { Description = "Visibility database whose commits count too (with --pg-stats)" };
    private readonly Option<string> _serverMetrics = new("--server-metrics") { Description = "URL of the server's Prometheus /metrics: its per-request and per-store-call latency over the run goes into the JSON line" };
    private readonly Option<bool> _warmup = new("--warmup") { Description = "Run one unmeasured workflow first", DefaultValueFactory = _ => true, Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<int> _warmupWorkflows = new("--warmup-workflows") { Description = "With --warmup, how many unmeasured workflows run first, at the run's concurrency: enough of them let both processes' JIT tiering finish before the measured window", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _timeoutS = new("--timeout-s") { Description = "Bound on the whole measured run, in seconds", DefaultValueFactory = _ => 600 };
    private readonly Option<int> _connectTimeoutS = new("--connect-timeout-s") { Description = "How long to keep trying to connect to a server that is still starting", DefaultValueFactory = _ => 60 };
    private readonly Option<int> _idleS = new("--idle-s") { Description = "Before the load (after the warm-up), measure the idle server for this many seconds", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _idleAfterS = new("--idle-after-s") { Description = "After the load (and its counters and phases), measure the idle server for this many seconds", DefaultValueFactory = _ => 0 };
    private readonly Option<bool> _raw = new("--raw") { Description = "Instead of the SDK, play client and worker over plain gRPC (poll, complete with the commands the SDK sends; no replay): the server's ceiling" };
    private readonly Option<int> _maxWorkflowTasks = new("--max-concurrent-workflow-tasks") { Description = "Worker: workflow task slots", DefaultValueFactory = _ => 200 };
    private readonly Option<int> _maxActivities = new("--max-concurrent-activities") { Description = "Worker: activity task slots", DefaultValueFactory = _ => 200 };
    private readonly Option<int> _workflowPollers = new("--workflow-task-pollers") { Description = "Worker: concurrent workflow task polls (sticky and normal together; the raw driver splits them as the SDK: a fifth normal)", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _activityPollers = new("--activity-task-pollers") { Description = "Worker: concurrent activity task polls", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _maxCached = new("--max-cached-workflows") { Description = "Worker: workflow cache size (0 turns sticky queues off)", DefaultValueFactory = _ => 10_000 };
    private readonly Option<bool> _eagerStart = new("--eager-start") { Description = "Ask for eager workflow start (the server must run with system.enableEagerWorkflowStart=true)" };
    private readonly Option<bool> _closedLoop = new("--closed-loop") { Description = "Each starter awaits its workflow's result before the next start (--concurrency 1: one workflow at a time)" };
    private readonly Option<string> _grpcCompression = new("--grpc-compression") { Description = "Client gRPC compression: gzip (the SDK's default) or none", DefaultValueFactory = _ => "gzip" };
    private readonly Option<bool> _measureStartup = new("--measure-startup") { Description = "Instead of a load: launch `tempora start-dev` repeatedly and time until an SDK client connects and DescribeNamespace succeeds" };
    private readonly Option<string> _temporaBinary = new("--tempora-binary") { Description = "The published tempora executable (with --measure-startup)" };
    private readonly Option<int> _phases = new("--phases") { Description = "After the run, read the histories of this many workflows spread over it and report the median time of each phase (0: off)", DefaultValueFactory = _ => 20 };
    private readonly Option<bool> _scale = new("--scale") { Description = "Instead of a load: the scale mode (bench/scale.sh): --open N runs left waiting, a restart, a drain" };
    private readonly Option<string> _scalePhase = new("--scale-phase") { Description = "open: start and measure the open runs; drain: after the restart, time start-up and drain them", DefaultValueFactory = _ => "open" };
    private readonly Option<int> _open = new("--open") { Description = "Open workflows (with --scale)", DefaultValueFactory = _ => 10_000 };
    private readonly Option<string> _scaleState = new("--scale-state") { Description = "File the open phase writes and the drain phase reads (with --scale)" };
    private readonly Option<string> _dbFile = new("--db-file") { Description = "The server's SQLite file, for database bytes per open run (with --scale)" };
    private readonly Option<int> _repeat = new("--repeat") { Description = "Launches per measurement (with --measure-startup)", DefaultValueFactory = _ => 5 };

    public BenchCommand()
        : base("Tempora load driver: the official Temporalio SDK (or, with --raw, plain gRPC) as client and worker; prints one JSON line.")
    {
        _grpcCompression.AcceptOnlyFromAmong("gzip", "none");
        Option[] positive = [_workflows, _open, _concurrency, _timeoutS, _connectTimeoutS, _maxWorkflowTasks, _maxActivities, _activityPollers, _repeat];
        foreach (var option in positive)
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 1)
                {
                    r.AddError($"{r.Option.Name} must be at least 1.");
                }
            });
        }
        Option[] nonNegative = [_activities, _payloadBytes, _idleS, _idleAfterS, _maxCached, _phases];
        foreach (var option in nonNegative)
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 0)
                {
                    r.AddError($"{r.Option.Name} must not be negative.");
                }
            });
        }
        // The SDK refuses fewer than two workflow pollers (one sticky, one normal).
        _workflowPollers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 2)
            {
                r.AddError("--workflow-task-pollers must be at least 2.");
            }
        });
        _scalePhase.AcceptOnlyFromAmong("open", "drain");
        Validators.Add(r =>
        {
            if (r.GetValue(_scale) && (string.IsNullOrEmpty(r.GetValue(_scaleState)) || string.IsNullOrEmpty(r.GetValue(_taskQueue))))
            {
                r.AddError("--scale needs --scale-state FILE and --task-queue NAME (the workflow ids derive from it).");
            }
        });
        Validators.Add(r =>
        {
            if (r.GetValue(_measureStartup) && string.IsNullOrEmpty(r.GetValue(_temporaBinary)))
            {
                r.AddError("--measure-startup needs --tempora-binary PATH.");
            }
        });

        Option[] all =
        [
            _address, _namespace, _workflows, _concurrency, _activities, _payloadBytes, _taskQueue, _label, _store,
            _serverPid, _dbPid, _pgStats, _pgVisibilityDatabase, _serverMetrics, _warmup, _warmupWorkflows, _timeoutS, _connectTimeoutS, _idleS,
            _maxWorkflowTasks, _maxActivities, _workflowPollers, _activityPollers, _maxCached, _grpcCompression,
            _phases, _measureStartup, _temporaBinary, _repeat, _eagerStart, _closedLoop, _idleAfterS, _raw,
            _scale, _scalePhase, _open, _scaleState, _dbFile,
        ];
        foreach (var option in all)
        {
            Options.Add(option);
        }
        SetAction(RunAsync);
    }

    private Task<int> RunAsync(ParseResult p, CancellationToken ct)
    {
        var options = new BenchOptions
        {
            Address = p.GetRequiredValue(_address),
            Namespace = p.GetRequiredValue(_namespace),
            Workflows = p.GetValue(_workflows),
            Concurrency = p.GetValue(_concurrency),
            Activities = p.GetValue(_activities),
            PayloadBytes = p.GetValue(_payloadBytes),
            TaskQueue = p.GetValue(_taskQueue),
            Label = p.GetValue(_label) ?? "",
            Store = p.GetValue(_store) ?? "unknown",
            ServerPid = p.GetValue(_serverPid),
            DbPid = p.GetValue(_dbPid),
            PgStats = p.GetValue(_pgStats),
            PgVisibilityDatabase = p.GetValue(_pgVisibilityDatabase),
            ServerMetricsUrl = p.GetValue(_serverMetrics),
            Warmup = p.GetValue(_warmup),
            WarmupWorkflows = p.GetValue(_warmupWorkflows),
            TimeoutS = p.GetValue(_timeoutS),
            ConnectTimeoutS = p.GetValue(_connectTimeoutS),
            IdleS = p.GetValue(_idleS),
            MaxConcurrentWorkflowTasks = p.GetValue(_maxWorkflowTasks),
            MaxConcurrentActivities = p.GetValue(_maxActivities),
            WorkflowTaskPollers = p.GetValue(_workflowPollers),
            ActivityTaskPollers = p.GetValue(_activityPollers),
            MaxCachedWorkflows = p.GetValue(_maxCached),
            Gzip = p.GetValue(_grpcCompression) != "none",
            MeasureStartup = p.GetValue(_measureStartup),
            TemporaBinary = p.GetValue(_temporaBinary),
            Repeat = p.GetValue(_repeat),
            PhaseSamples = p.GetValue(_phases),
            EagerStart = p.GetValue(_eagerStart),
            ClosedLoop = p.GetValue(_closedLoop),
            IdleAfterS = p.GetValue(_idleAfterS),
            Raw = p.GetValue(_raw),
            Scale = p.GetValue(_scale),
            ScalePhase = p.GetValue(_scalePhase) ?? "open",
            Open = p.GetValue(_open),
            ScaleState = p.GetValue(_scaleState),
            DbFile = p.GetValue(_dbFile),
        };
        return options.MeasureStartup ? StartupRun.RunAsync(options, ct)
            : options.Scale ? ScaleRun.RunAsync(options, ct)
            : options.Raw ? RawLoadRun.RunAsync(options, ct)
            : LoadRun.RunAsync(options, ct);
    }
}
