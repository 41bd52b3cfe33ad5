using System.Text;
using System.Text.Json;
using TokenBroker.Core.Admin;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>backup</c> and <c>restore</c> against real daemons: round trip, another key, damaged files.</summary>
public sealed class BackupCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();
    private BrokerScenario _broker = null!;

    private string BackupPath => _files.Combine("tokenbroker.backup");

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task Backup_wipe_restore_brings_back_every_account_with_its_grant()
    {
        await RunAsync(_broker, "account", "add", "second", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient, "--issuer", _broker.Server.BaseUri.AbsoluteUri, "--match", "[smtp.example.test]:587");
        await _broker.ConsentAsync();
        var token = await RunAsync(_broker, "token", "work");

        await RunAsync(_broker, "backup", BackupPath);
        await _broker.RestartAsync(wipeStore: true);
        var empty = await RunAsync(_broker, "account", "list");
        var restored = await RunAsync(_broker, "restore", BackupPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BackupPath));
        var content = Encoding.Latin1.GetString(File.ReadAllBytes(BackupPath));
        Assert.Empty(_broker.Server.Issued.FoundIn(content));
        Assert.DoesNotContain(AuthServer.User, content, StringComparison.Ordinal);
        Assert.StartsWith("no accounts", empty, StringComparison.Ordinal);
        Assert.Equal("restored 2 account(s): second (needs_consent), work (active)", restored.Trim());
        Assert.Equal(token, await RunAsync(_broker, "token", "work"));
        Assert.Contains("[smtp.example.test]:587", await RunAsync(_broker, "account", "show", "second"), StringComparison.Ordinal);
        Assert.StartsWith("work: refreshed", await RunAsync(_broker, "refresh", "work"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_sealed_with_another_key_is_refused_until_that_key_is_given()
    {
        await _broker.ConsentAsync();
        await RunAsync(_broker, "backup", BackupPath);
        await using var other = await BrokerScenario.StartAsync();

        using var refused = other.Cli("restore", BackupPath);
        Assert.Equal(1, await refused.WaitForExitAsync());
        var message = Assert.Single(refused.Stderr);
        Assert.Contains("the backup was sealed with master key id", message, StringComparison.Ordinal);
        Assert.Contains("--key-file KEY; nothing was changed", message, StringComparison.Ordinal);
        Assert.Contains("needs_consent", await RunAsync(other, "status", "--json"), StringComparison.Ordinal);

        await RunAsync(other, "restore", BackupPath, "--key-file", _broker.KeyFile);

        var report = JsonSerializer.Deserialize(await RunAsync(other, "status", "--json"), AdminJson.Default.StatusReport)!;
        Assert.Equal("active", Assert.Single(report.Accounts).State);
        Assert.Contains((await RunAsync(other, "token", "work")).Trim(), _broker.Server.Issued.All);
    }

    [Theory]
    [InlineData("garbage", "this is not a TokenBroker backup")]
    [InlineData("flipped", "the backup fails authentication: it is damaged or was altered")]
    [InlineData("truncated", "the backup fails authentication: it is damaged or was altered")]
    public async Task A_damaged_or_foreign_file_is_refused_and_nothing_changes(string damage, string reason)
    {
        await RunAsync(_broker, "backup", BackupPath);
        var bytes = File.ReadAllBytes(BackupPath);
        File.WriteAllBytes(BackupPath, damage switch
        {
            "garbage" => Encoding.ASCII.GetBytes("not a backup at all, not even close to one"),
            "flipped" => [.. bytes[..^20], (byte)(bytes[^20] ^ 1), .. bytes[^19..]],
            _ => bytes[..^1],
        });
        await RunAsync(_broker, "account", "add", "later", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient, "--issuer", _broker.Server.BaseUri.AbsoluteUri);

        using var cli = _broker.Cli("restore", BackupPath);

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Equal($"tokenbroker: {reason}; nothing was changed", Assert.Single(cli.Stderr));
        Assert.Contains("later", await RunAsync(_broker, "account", "list"), StringComparison.Ordinal);
    }

    /// <summary>Runs the CLI against <paramref name="broker"/>; it must succeed; returns its standard output.</summary>
    private static async Task<string> RunAsync(BrokerScenario broker, params string[] arguments)
    {
        using var cli = broker.Cli(arguments);
        var code = await cli.WaitForExitAsync();
        Assert.True(code == 0, $"tokenbroker {string.Join(' ', arguments)} exited {code}:\n{cli.Output}");
        return string.Join('\n', cli.Stdout);
    }
}
