using Temporalio.Activities;

namespace Tempora.Bench;

/// <summary>The no-op step: returns its input.</summary>
public static class BenchActivities
{
    public const string EchoName = "Echo";

    [Activity(EchoName)]
    public static Task<string> EchoAsync(string input) => Task.FromResult(input);
}
