namespace TokenBroker.Cli;

/// <summary>A failure to report as one stderr line with a contract exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
