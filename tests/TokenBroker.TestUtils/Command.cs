using System.Diagnostics;

namespace TokenBroker.TestUtils;

/// <summary>What a finished program printed and returned.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Standard output.</param>
/// <param name="Stderr">Standard error.</param>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Both outputs, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
}

/// <summary>Runs a program (not through a shell) to its end; the broker's own output is checked for issued secrets (see <see cref="SecretLedger"/>).</summary>
public static class Command
{
    private static readonly TimeSpan DefaultLimit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/>; <paramref name="environment"/> adds
    /// variables; <paramref name="input"/> is written to its standard input.
    /// </summary>
    /// <exception cref="TimeoutException">The program ran past the limit (it is killed).</exception>
    public static async Task<CommandResult> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? limit = null, string? input = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit ?? DefaultLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} still running after {limit ?? DefaultLimit}");
        }

        var result = new CommandResult(process.ExitCode, await stdout, await stderr);
        IReadOnlyList<string> command = [program, .. arguments];
        if (command.Any(part => Path.GetFileNameWithoutExtension(part) is "tokenbroker" or "tokenbrokerd"))
        {
            SecretLedger.AssertNoneInOutput(command, result.Stdout, result.Stderr);
        }

        return result;
    }
}
