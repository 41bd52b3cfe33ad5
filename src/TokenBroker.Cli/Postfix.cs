using System.Diagnostics;

namespace TokenBroker.Cli;

/// <summary>Reads the settings of an installed Postfix with postconf(1).</summary>
internal static class Postfix
{
    /// <summary>Where Debian installs postconf.</summary>
    public const string Postconf = "/usr/sbin/postconf";

    /// <summary>The values of <paramref name="names"/> (empty when unset), or null when postconf fails.</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> ReadAsync(string postconf, string? directory, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(postconf) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(directory);
        }

        foreach (var name in names)
        {
            info.ArgumentList.Add(name);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            return null;
        }

        // "name = value", one per line; an empty value is printed as "name =".
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);
    }
}
