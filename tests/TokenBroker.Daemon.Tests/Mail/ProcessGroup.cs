using System.Globalization;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Mail;

/// <summary>Stops a mail daemon's master and every process of its group.</summary>
internal static class ProcessGroup
{
    /// <summary>SIGTERM to the master, then SIGKILL to the group if any process of it is left after 10 s.</summary>
    public static async Task StopAsync(int master)
    {
        await Command.RunAsync("kill", ["-TERM", master.ToString(CultureInfo.InvariantCulture)]);
        var limit = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (Alive(master) && TimeProvider.System.GetUtcNow() < limit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }

        if (Alive(master))
        {
            await Command.RunAsync("kill", ["-KILL", "--", "-" + master.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    /// <summary>Whether a process of group <paramref name="group"/> still runs (zombies do not count).</summary>
    private static bool Alive(int group) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Any(pid =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[0] != "Z" && fields[2] == group.ToString(CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return false;
            }
        });
}
