namespace Tempora.Visibility;

/// <summary>Where a page ended in the fixed order (open runs first, then most recently closed; then start time; then run id).</summary>
public sealed record VisibilityCursor(long CloseTimeKey, long StartTimeKey, string RunId)
{
    /// <summary>The sort key of a close time: open runs sort as the largest value.</summary>
    public static long CloseKey(DateTimeOffset? closeTime) => closeTime is { } t ? MicrosOf(t) : long.MaxValue;

    public static long MicrosOf(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
