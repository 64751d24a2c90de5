namespace Tempora.Matching.Tests;

/// <summary>Asserts about tasks that the fake clock drives but that complete on the thread pool.</summary>
internal static class Pending
{
    /// <summary>
    /// How long "it did not happen" is given to show itself. What the fake clock made due runs at once, but the
    /// continuations it releases run on the thread pool, so a wrong early completion needs a moment to be seen.
    /// </summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(200);

    public static async Task AssertStillWaitingAsync(Task task, string what)
    {
        var first = await Task.WhenAny(task, Task.Delay(Grace));
        Assert.True(first != task, $"{what} ended early");
    }

    /// <summary>Awaits what the fake clock made due, naming it when it does not come in real time.</summary>
    public static async Task<T> Within<T>(this Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(MatchingFixture.Patience);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"{what} did not happen within {MatchingFixture.Patience} of real time");
        }
    }
}
