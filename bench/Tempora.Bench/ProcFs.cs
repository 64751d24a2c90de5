using System.Globalization;

namespace Tempora.Bench;

/// <summary>Reads of Linux's /proc for one process. Every reader returns null (or 0) when the process is gone.</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ, the unit of utime/stime in /proc/PID/stat: 100 on every mainstream Linux architecture.</summary>
    public const double ClockTicksPerSecond = 100;

    /// <summary>VmRSS and VmHWM (peak RSS, kept by the kernel) in KiB.</summary>
    public static (long RssKb, long HwmKb)? ReadMemory(int pid)
    {
        var text = TryRead($"/proc/{pid}/status");
        return text is null ? null : (Field(text, "VmRSS:"), Field(text, "VmHWM:"));
    }

    /// <summary>Proportional set size in KiB: shared pages divided among the processes that map them.</summary>
    public static long ReadPssKb(int pid) => TryRead($"/proc/{pid}/smaps_rollup") is { } text ? Field(text, "Pss:") : 0;

    /// <summary>Parent pid, own CPU ticks (utime + stime), and the ticks of children it has waited for (cutime + cstime).</summary>
    public static (int Ppid, long OwnTicks, long ChildTicks)? ReadStat(int pid)
    {
        var text = TryRead($"/proc/{pid}/stat");
        if (text is null)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may contain spaces: fields are counted after the last ')'.
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // rest[0] = state (field 3), rest[1] = ppid (4), rest[11] = utime (14), rest[12] = stime (15), rest[13..14] = cutime, cstime.
        return (int.Parse(rest[1], CultureInfo.InvariantCulture),
            long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture),
            long.Parse(rest[13], CultureInfo.InvariantCulture) + long.Parse(rest[14], CultureInfo.InvariantCulture));
    }

    /// <summary>The live direct children of <paramref name="pid"/> (PostgreSQL's backends are children of the postmaster).</summary>
    public static List<int> Children(int pid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && ReadStat(child) is { } stat && stat.Ppid == pid)
            {
                children.Add(child);
            }
        }
        return children;
    }

    /// <summary>CPU ticks of a process; with <paramref name="tree"/>, plus its reaped children and its live children.</summary>
    public static long CpuTicks(int pid, bool tree)
    {
        if (ReadStat(pid) is not { } stat)
        {
            return 0;
        }
        if (!tree)
        {
            return stat.OwnTicks;
        }
        var ticks = stat.OwnTicks + stat.ChildTicks;
        foreach (var child in Children(pid))
        {
            ticks += ReadStat(child)?.OwnTicks ?? 0;
        }
        return ticks;
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static long Field(string text, string name)
    {
        var i = text.IndexOf(name, StringComparison.Ordinal);
        if (i < 0)
        {
            return 0;
        }
        var span = text.AsSpan(i + name.Length);
        var end = span.IndexOf('\n');
        span = (end < 0 ? span : span[..end]).Trim();
        var space = span.IndexOf(' ');
        return long.TryParse(space < 0 ? span : span[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
