namespace Tempora.Bench;

internal static class Stats
{
    /// <summary>Nearest-rank percentile of an ascending array (the peers' workload.mjs uses the same rule).</summary>
    public static double? Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return null;
        }
        var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(index, 0, sorted.Length - 1)], 1);
    }

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double Mb(long kb) => Math.Round(kb / 1024.0, 1);

    public static double R(double value, int digits = 2) => Math.Round(value, digits);

    public static void Log(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] bench: {message}");
}
