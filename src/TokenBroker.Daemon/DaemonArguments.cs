namespace TokenBroker.Daemon;

/// <summary>The daemon's command line: <c>tokenbrokerd [--config FILE]</c>.</summary>
internal sealed record DaemonArguments(string? ConfigFile, bool Help)
{
    public const string DefaultConfigFile = "/etc/tokenbroker/tokenbroker.json";

    public const string Usage = """
        Usage: tokenbrokerd [--config FILE]

        Runs the TokenBroker daemon in the foreground until SIGTERM or Ctrl-C.

          --config FILE   JSON configuration (default /etc/tokenbroker/tokenbroker.json if it exists);
                          TOKENBROKER__<Key> environment variables override it
          --help          show this help
        """;

    /// <summary>Parses the arguments; null with an error message on a usage error.</summary>
    public static DaemonArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        string? config = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    return new DaemonArguments(null, Help: true);
                case "--config" when i + 1 < args.Count:
                    config = args[++i];
                    break;
                case var arg when arg.StartsWith("--config=", StringComparison.Ordinal):
                    config = arg["--config=".Length..];
                    break;
                default:
                    error = args[i] == "--config" ? "--config needs a file name" : $"unknown argument '{args[i]}'";
                    return null;
            }
        }

        return new DaemonArguments(config, Help: false);
    }

    /// <summary>The configuration file to read: the one given, else the default if it exists.</summary>
    public string? ResolveConfigFile() =>
        ConfigFile is not null ? Path.GetFullPath(ConfigFile)
        : File.Exists(DefaultConfigFile) ? DefaultConfigFile
        : null;
}
