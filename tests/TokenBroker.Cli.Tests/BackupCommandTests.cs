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
        await _broker.RunAsync("account", "add", "second", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient, "--issuer", _broker.Server.BaseUri.AbsoluteUri, "--match", "[smtp.example.test]:587");
        await _broker.ConsentAsync();
        var token = await _broker.RunAsync("token", "work");

        await _broker.RunAsync("backup", BackupPath);
        await _broker.RestartAsync(wipeStore: true);
        var empty = await _broker.RunAsync("account", "list");
        var restored = await _broker.RunAsync("restore", BackupPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BackupPath));
        var content = Encoding.Latin1.GetString(File.ReadAllBytes(BackupPath));
        Assert.Empty(_broker.Server.Issued.FoundIn(content));
        Assert.DoesNotContain(AuthServer.User, content, StringComparison.Ordinal);
        Assert.StartsWith("no accounts", empty, StringComparison.Ordinal);
        Assert.Equal("restored 2 account(s): second (needs_consent), work (active)", restored.Trim());
        Assert.Equal(token, await _broker.RunAsync("token", "work"));
        Assert.Contains("[smtp.example.test]:587", await _broker.RunAsync("account", "show", "second"), StringComparison.Ordinal);
        Assert.StartsWith("work: refreshed", await _broker.RunAsync("refresh", "work"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_sealed_with_another_key_is_refused_until_that_key_is_given()
    {
        await _broker.ConsentAsync();
        await _broker.RunAsync("backup", BackupPath);
        await using var other = await BrokerScenario.StartAsync();

        using var refused = other.Cli("restore", BackupPath);
        Assert.Equal(1, await refused.WaitForExitAsync());
        var message = Assert.Single(refused.Stderr);
        Assert.Contains("the backup was sealed with master key id", message, StringComparison.Ordinal);
        Assert.Contains("--key-file KEY; nothing was changed", message, StringComparison.Ordinal);
        Assert.Contains("needs_consent", await other.RunAsync("status", "--json"), StringComparison.Ordinal);

        await other.RunAsync("restore", BackupPath, "--key-file", _broker.KeyFile);

        var report = JsonSerializer.Deserialize(await other.RunAsync("status", "--json"), AdminJson.Default.StatusReport)!;
        Assert.Equal("active", Assert.Single(report.Accounts).State);
        Assert.Contains((await other.RunAsync("token", "work")).Trim(), _broker.Server.Issued.All);
    }

    [Theory]
    [InlineData("garbage", "this is not a TokenBroker backup")]
    [InlineData("flipped", "the backup fails authentication: it is damaged or was altered")]
    [InlineData("truncated", "the backup fails authentication: it is damaged or was altered")]
    public async Task A_damaged_or_foreign_file_is_refused_and_nothing_changes(string damage, string reason)
    {
        await _broker.RunAsync("backup", BackupPath);
        var bytes = File.ReadAllBytes(BackupPath);
        File.WriteAllBytes(BackupPath, damage switch
        {
            "garbage" => Encoding.ASCII.GetBytes("not a backup at all, not even close to one"),
            "flipped" => [.. bytes[..^20], (byte)(bytes[^20] ^ 1), .. bytes[^19..]],
            _ => bytes[..^1],
        });
        await _broker.RunAsync("account", "add", "later", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient, "--issuer", _broker.Server.BaseUri.AbsoluteUri);

        using var cli = _broker.Cli("restore", BackupPath);

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Equal($"tokenbroker: {reason}; nothing was changed", Assert.Single(cli.Stderr));
        Assert.Contains("later", await _broker.RunAsync("account", "list"), StringComparison.Ordinal);
    }
}
