namespace TokenBroker.Cli;

/// <summary>The CLI's exit codes, part of its contract with scripts (sysexits.h values).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 64;
    public const int Unavailable = 69;
    public const int Temporary = 75;
    public const int NoPermission = 77;
    public const int Interrupted = 130;
}
