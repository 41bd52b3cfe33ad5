using System.Globalization;

namespace TokenBroker.Benchmarks;

/// <summary>CPU time and memory of a running process, read from /proc.</summary>
internal static class ProcessFigures
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The process's peak resident set size in MiB (VmHWM).</summary>
    public static double PeakRssMiB(int pid) => StatusMiB(pid, "VmHWM:");

    /// <summary>The process's resident set size now, in MiB (VmRSS).</summary>
    public static double RssMiB(int pid) => StatusMiB(pid, "VmRSS:");

    private static double StatusMiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
