namespace Tempora.Bench;

/// <summary>Everything one invocation of the driver was asked to do (see <see cref="BenchCommand"/> for the flags).</summary>
internal sealed record BenchOptions
{
    public string Address { get; init; } = "127.0.0.1:7233";
    public string Namespace { get; init; } = "default";
    public int Workflows { get; init; } = 2000;
    public int Concurrency { get; init; } = 100;
    public int Activities { get; init; } = 1;
    public int PayloadBytes { get; init; } = 16;
    public string? TaskQueue { get; init; }
    public string Label { get; init; } = "";
    public string Store { get; init; } = "unknown";
    public int? ServerPid { get; init; }
    public int? DbPid { get; init; }
    public string? PgStats { get; init; }
    public string? PgVisibilityDatabase { get; init; }
    public string? ServerMetricsUrl { get; init; }
    public bool Warmup { get; init; } = true;
    public int WarmupWorkflows { get; init; } = 1;
    public int TimeoutS { get; init; } = 600;
    public int ConnectTimeoutS { get; init; } = 60;
    public int IdleS { get; init; }
    public int MaxConcurrentWorkflowTasks { get; init; } = 200;
    public int MaxConcurrentActivities { get; init; } = 200;
    public int WorkflowTaskPollers { get; init; } = 10;
    public int ActivityTaskPollers { get; init; } = 10;
    public int MaxCachedWorkflows { get; init; } = 10_000;
    public bool Gzip { get; init; } = true;
    public bool MeasureStartup { get; init; }
    public string? TemporaBinary { get; init; }
    public int Repeat { get; init; } = 5;
    public int PhaseSamples { get; init; } = 20;
    public bool EagerStart { get; init; }
    public bool ClosedLoop { get; init; }
    public int IdleAfterS { get; init; }
    public bool Raw { get; init; }
    public bool Scale { get; init; }
    public string ScalePhase { get; init; } = "open";
    public int Open { get; init; } = 10_000;
    public string? ScaleState { get; init; }
    public string? DbFile { get; init; }
}
