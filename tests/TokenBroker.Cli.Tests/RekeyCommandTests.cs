using System.Diagnostics;
using TokenBroker.Core.Secrets;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Cli.Tests;

/// <summary><c>tokenbroker rekey</c> against real daemons, including one killed with SIGKILL in the middle, again and again.</summary>
public sealed class RekeyCommandTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private BrokerScenario _broker = null!;

    public RekeyCommandTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Rekey_replaces_the_key_while_the_daemon_keeps_serving_the_same_token()
    {
        await _broker.ConsentAsync();
        var token = await _broker.RunAsync("token", "work");
        var oldKeyId = KeyId();

        var output = await _broker.RunAsync("rekey");

        var newKeyId = KeyId();
        Assert.NotEqual(oldKeyId, newKeyId);
        Assert.Equal(
            $"master key {_broker.KeyFile} replaced: key id {oldKeyId} -> {newKeyId}, 1 account(s) sealed again\n" +
            $"backups sealed with key id {oldKeyId} cannot be restored any more: make a new one now (tokenbroker backup FILE)",
            output);
        Assert.Equal(token, await _broker.RunAsync("token", "work"));
        Assert.StartsWith("work: refreshed", await _broker.RunAsync("refresh", "work"), StringComparison.Ordinal);
        await _broker.RestartAsync(wipeStore: false);
        Assert.Contains($"key id {newKeyId}", _broker.Daemon.Output, StringComparison.Ordinal);
        Assert.Contains("active", await _broker.RunAsync("status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rekey_the_daemon_cannot_do_is_one_line_and_exit_1_with_the_key_kept()
    {
        await _broker.ConsentAsync();
        var keyId = KeyId();
        Directory.CreateDirectory(MasterKeyFile.PendingPath(_broker.KeyFile));

        using var refused = _broker.Cli("rekey");

        Assert.Equal(1, await refused.WaitForExitAsync());
        var message = Assert.Single(refused.Stderr);
        Assert.StartsWith($"tokenbroker: cannot write the new key and store beside {_broker.KeyFile}", message, StringComparison.Ordinal);
        Assert.EndsWith("nothing was changed", message, StringComparison.Ordinal);
        Assert.Empty(refused.Stdout);
        Assert.Equal(keyId, KeyId());
        Assert.Contains("active", await _broker.RunAsync("status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_from_before_the_rekey_needs_the_old_key()
    {
        await _broker.ConsentAsync();
        using var files = new TempDirectory();
        var backup = files.Combine("before.backup");
        var oldKey = files.Combine("old.key");
        await _broker.RunAsync("backup", backup);
        File.Copy(_broker.KeyFile, oldKey);
        await _broker.RunAsync("rekey");

        using var refused = _broker.Cli("restore", backup);
        Assert.Equal(1, await refused.WaitForExitAsync());
        Assert.Contains("--key-file KEY; nothing was changed", Assert.Single(refused.Stderr), StringComparison.Ordinal);
        Assert.StartsWith("restored 1 account(s): work (active)", await _broker.RunAsync("restore", backup, "--key-file", oldKey), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rekey_killed_at_any_moment_in_a_loop_leaves_a_store_that_opens_with_one_of_the_two_keys_and_loses_nothing()
    {
        // A thousand more accounts (waiting for consent) make the rekey long enough for kills to land inside it.
        await _broker.DisposeAsync();
        _broker = await BrokerScenario.StartAsync([.. Enumerable.Range(0, 1000).Select(i => Samples.Account($"bulk{i}") with { TokenFile = null })]);
        await _broker.RunAsync("account", "add", "second", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient, "--issuer", _broker.Server.BaseUri.AbsoluteUri);
        await _broker.ConsentAsync("second");
        await _broker.ConsentAsync();
        var token = await _broker.RunAsync("token", "work");
        var expected = await _broker.StopAndReadAllAsync();
        await _broker.StartDaemonAsync();

        // One rekey run to the end gives the length of the window the kills are spread over.
        var clock = Stopwatch.StartNew();
        await _broker.RunAsync("rekey");
        var window = clock.Elapsed * 1.5;
        // Stratified: each round kills at a random moment of its own slice of the window, so every part of it is hit.
        var rounds = 24 * ReliabilityReport.Scale;
        var random = new Random(20261129);
        var outcomes = new List<string>();
        foreach (var slice in Enumerable.Range(0, rounds).OrderBy(_ => random.Next()))
        {
            var keyBefore = KeyId();
            using var rekey = _broker.Cli("rekey");
            await Task.Delay(window * ((slice + random.NextDouble()) / rounds), TimeProvider.System);
            await _broker.KillAsync();
            await rekey.WaitForExitAsync();

            using (var store = _broker.OpenStore())
            {
                Assert.Equal(expected, await StoreContents.ReadAsync(store));
                outcomes.Add($"{(KeyId() == keyBefore ? "old" : "new")} key ({store.Recovery})");
            }

            await _broker.StartDaemonAsync();
        }

        Assert.Equal(token, await _broker.RunAsync("token", "work"));
        Assert.StartsWith("work: refreshed", await _broker.RunAsync("refresh", "work"), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_broker.Layout.Directory, "*rekey*"));
        Assert.False(File.Exists(MasterKeyFile.PendingPath(_broker.KeyFile)));
        _output.WriteLine(string.Join('\n', outcomes.CountBy(o => o).Select(o => $"{o.Value} x {o.Key}")));
        // Kills landed before the rekey, inside it, and after the store was replaced.
        Assert.Contains(outcomes, o => o.StartsWith("old", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.StartsWith("new", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => !o.EndsWith("(None)", StringComparison.Ordinal));
        ReliabilityReport.Write(_output, "SIGKILL during a rekey", $"{rounds} kills spread over a rekey of 1,002 accounts",
            $"the store opened every time, every secret as before: {string.Join(", ", outcomes.CountBy(o => o).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} x {o.Key}"))}");
    }

    private string KeyId()
    {
        using var key = MasterKeyFile.Load(_broker.KeyFile);
        return key.KeyId;
    }
}
