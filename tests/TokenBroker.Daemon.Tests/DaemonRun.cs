using System.Text.Json;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests;

/// <summary>A temporary installation for <c>tokenbrokerd</c>: a working directory, a state directory and a config file.</summary>
public sealed class DaemonRun : IDisposable
{
    private readonly TempDirectory _directory = new();

    public DaemonRun() => Layout = new StateLayout(_directory.Combine("state"));

    public StateLayout Layout { get; }

    public TempDirectory Directory => _directory;

    public string ConfigFile => _directory.Combine("tokenbroker.json");

    /// <summary>Writes the config file with the given <c>TokenBroker</c> settings and this run's state directory.</summary>
    public string WriteConfig(object? settings = null)
    {
        var section = JsonSerializer.SerializeToNode(settings ?? new { })!.AsObject();
        section["StateDirectory"] ??= Layout.Directory;
        File.WriteAllText(ConfigFile, new System.Text.Json.Nodes.JsonObject { ["TokenBroker"] = section }.ToJsonString());
        return ConfigFile;
    }

    public ChildProcess Start(IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string?>? environment = null) =>
        ChildProcess.Start(BuiltPrograms.Daemon, arguments ?? ["--config", WriteConfigIfMissing()], _directory.Path, environment);

    /// <summary>Starts the daemon and waits until it says it is ready.</summary>
    public async Task<ChildProcess> StartReadyAsync(IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var daemon = Start(arguments, environment);
        await daemon.WaitForLineAsync("tokenbrokerd ready");
        return daemon;
    }

    public void Dispose() => _directory.Dispose();

    private string WriteConfigIfMissing() => File.Exists(ConfigFile) ? ConfigFile : WriteConfig();
}
