using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules.Specs;
using Temporalio.Api.Schedule.V1;
using static Tempora.Worker.Tests.Schedules.Specs.SpecTesting;

namespace Tempora.Worker.Tests.Schedules.Specs;

public sealed class JitterTests
{
    private static ScheduleSpec EveryNinetyMinutes(TimeSpan jitter) => new()
    {
        Interval = { new IntervalSpec { Interval = Minutes(90) } },
        Jitter = Duration.FromTimeSpan(jitter),
    };

    [Fact]
    public void Jitter_matches_what_Temporal_computes_for_the_same_seed()
    {
        // Delays Temporal's own scheduler gives these nominal times with an empty seed and a 1s jitter.
        var spec = CompiledSpec.Compile(EveryNinetyMinutes(TimeSpan.FromSeconds(1)));

        Assert.Equal(Utc(2022, 3, 23, 12).AddMilliseconds(162), spec.NextAfter(Utc(2022, 3, 23, 11, 59), "")!.Value.Actual);
        Assert.Equal(Utc(2022, 3, 23, 13, 30).AddMilliseconds(587), spec.NextAfter(Utc(2022, 3, 23, 13), "")!.Value.Actual);
        Assert.Equal(Utc(2022, 3, 23, 15).AddMilliseconds(89), spec.NextAfter(Utc(2022, 3, 23, 14), "")!.Value.Actual);
    }

    [Fact]
    public void The_same_seed_and_time_always_give_the_same_delay_and_other_seeds_differ()
    {
        var spec = CompiledSpec.Compile(EveryNinetyMinutes(TimeSpan.FromMinutes(30)));
        var after = Utc(2024, 5, 1, 10);

        var first = spec.NextAfter(after, "ns-1-sched-a")!.Value;
        var again = CompiledSpec.Compile(EveryNinetyMinutes(TimeSpan.FromMinutes(30))).NextAfter(after, "ns-1-sched-a")!.Value;
        var delays = Enumerable.Range(0, 20)
            .Select(i => spec.NextAfter(after, $"seed-{i}")!.Value.Actual)
            .Distinct()
            .Count();

        Assert.Equal(first, again);
        Assert.Equal(Utc(2024, 5, 1, 10, 30), first.Nominal);
        Assert.True(delays > 10, $"only {delays} distinct delays for 20 seeds");
    }

    [Fact]
    public void Jitter_stays_within_its_bound()
    {
        var spec = CompiledSpec.Compile(EveryNinetyMinutes(TimeSpan.FromMinutes(10)));

        for (var i = 0; i < 200; i++)
        {
            var time = spec.NextAfter(Utc(2024, 5, 1).AddMinutes(90 * i), "seed")!.Value;
            Assert.InRange(time.Actual - time.Nominal, TimeSpan.Zero, TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public void Jitter_never_reaches_the_next_nominal_time()
    {
        var spec = CompiledSpec.Compile(EveryNinetyMinutes(TimeSpan.FromDays(1)));

        var delays = Enumerable.Range(0, 200)
            .Select(i => spec.NextAfter(Utc(2024, 5, 1).AddMinutes(90 * i), "seed")!.Value)
            .Select(t => t.Actual - t.Nominal)
            .ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMinutes(90) - TimeSpan.FromMilliseconds(1)));
        Assert.Contains(delays, d => d > TimeSpan.FromMinutes(45));
    }

    [Fact]
    public void No_jitter_or_a_negative_one_leaves_the_nominal_time()
    {
        foreach (var jitter in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(-5) })
        {
            var time = CompiledSpec.Compile(EveryNinetyMinutes(jitter)).NextAfter(Utc(2024, 5, 1), "seed")!.Value;

            Assert.Equal(time.Nominal, time.Actual);
        }
    }
}
