using System.CommandLine;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker init</c>: creates the state directory and master key with private modes; safe to run again.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var stateDirectory = new Option<string?>("--state-dir")
        {
            Description = "State directory (default: $STATE_DIRECTORY, else ./var)",
        };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "Master key file (default: tokenbroker.key in the state directory)",
        };
        var command = new Command("init", "Create the state directory and the master key (mode 0700 / 0600); safe to run again")
        {
            stateDirectory,
            keyFile,
        };
        command.SetAction(result => Run(result.GetValue(stateDirectory), result.GetValue(keyFile), result.InvocationConfiguration.Output));
        return command;
    }

    private static int Run(string? stateDirectory, string? keyFile, TextWriter output)
    {
        var layout = StateLayout.Resolve(stateDirectory, Environment.GetEnvironmentVariable("STATE_DIRECTORY"));
        if (PrivateFiles.EnsureDirectory(layout.Directory))
        {
            output.WriteLine($"state directory {layout.Directory}: created, mode 0700");
        }
        else
        {
            var mode = File.GetUnixFileMode(layout.Directory);
            if (mode != PrivateFiles.DirectoryMode)
            {
                File.SetUnixFileMode(layout.Directory, PrivateFiles.DirectoryMode);
                output.WriteLine($"state directory {layout.Directory}: mode {PrivateFiles.Octal(mode)} changed to 0700");
            }
            else
            {
                output.WriteLine($"state directory {layout.Directory}: exists, mode 0700");
            }
        }

        var keyPath = Path.GetFullPath(keyFile ?? layout.DefaultKeyFile);
        var created = !File.Exists(keyPath);
        using var key = created ? MasterKeyFile.Create(keyPath) : MasterKeyFile.Load(keyPath);
        output.WriteLine($"master key {keyPath}: {(created ? "created" : "exists")}, mode 0600, key id {key.KeyId}");
        output.WriteLine($"to give it to systemd instead: systemd-creds encrypt --name={MasterKeySource.CredentialName} {keyPath} /etc/credstore.encrypted/{MasterKeySource.CredentialName}");
        return ExitCodes.Ok;
    }
}
