using System.Globalization;
using System.Text.Json.Nodes;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// A .NET process's pauses that can stall a request: garbage collections by generation, their total pause time, and
/// JIT compilation time. Read from the driver's own runtime, or from the server's /metrics (the System.Runtime meter's
/// <c>system_runtime_dotnet_*</c> series); the difference over a run says whether either side's pauses can account
/// for a latency tail.
/// </summary>
internal sealed record RuntimeCounters(long Gen0 = 0, long Gen1 = 0, long Gen2 = 0, double GcPauseS = 0, double JitS = 0)
{
    public static RuntimeCounters OfThisProcess() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalSeconds,
            System.Runtime.JitInfo.GetCompilationTime().TotalSeconds);

    /// <summary>This with the value of one Prometheus text line, when it is one of the counters.</summary>
    public RuntimeCounters With(string line)
    {
        var space = line.LastIndexOf(' ');
        if (space < 0 || !line.StartsWith("system_runtime_dotnet_", StringComparison.Ordinal)
            || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            return this;
        }
        var name = line[..space];
        return name switch
        {
            "system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen0\"}" => this with { Gen0 = (long)v },
            "system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen1\"}" => this with { Gen1 = (long)v },
            "system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen2\"}" => this with { Gen2 = (long)v },
            "system_runtime_dotnet_gc_pause_time" => this with { GcPauseS = v },
            "system_runtime_dotnet_jit_compilation_time" => this with { JitS = v },
            _ => this,
        };
    }

    /// <summary>What happened between <paramref name="before"/> and this.</summary>
    public JsonObject Since(RuntimeCounters before) => new()
    {
        ["gen0"] = Gen0 - before.Gen0,
        ["gen1"] = Gen1 - before.Gen1,
        ["gen2"] = Gen2 - before.Gen2,
        ["gc_pause_ms"] = R((GcPauseS - before.GcPauseS) * 1000, 1),
        ["jit_ms"] = R((JitS - before.JitS) * 1000, 1),
    };
}
