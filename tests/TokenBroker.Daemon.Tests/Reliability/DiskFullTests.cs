using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Accounts;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Reliability;

/// <summary>A full disk under the store and under the token files: the previous state stays, the error says why, writes resume with space.</summary>
public sealed class DiskFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private AuthServer _server = null!;

    // A refresh token stays valid for an hour after its replacement: a new one lost to a full disk must not end the grant.
    public async Task InitializeAsync() => _server = await AuthServer.StartAsync(new AuthServerOptions { RefreshTokenReuseLeeway = TimeSpan.FromHours(1) });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_refresh_on_a_full_store_disk_keeps_the_stored_grant_and_the_token_file_and_resumes_when_space_returns()
    {
        using var disk = await Tmpfs.MountAsync(4096);
        var state = Path.Combine(disk.Path, "state");
        var tokenFile = Path.Combine(state, "tokens", "work.token");
        var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:StateDirectory"] = state });
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        var before = await daemon.ConsentAsync(_server, tokenFile: new TokenFileSettings { Path = tokenFile });
        var name = before.Account.Name;
        var coordinator = daemon.App.Services.GetRequiredService<RefreshCoordinator>();

        using var postfix = await SocketmapClient.ConnectAsync(daemon.PostfixSocket);
        Assert.StartsWith("OK ", await postfix.AskAsync("sasl", AuthServer.User), StringComparison.Ordinal);

        var filler = disk.Fill();
        await coordinator.RefreshAsync(name);
        var servedWhileFull = await postfix.AskAsync("sasl", AuthServer.User);
        var fileWhileFull = File.ReadAllText(tokenFile);
        File.Delete(filler);
        var whileFull = (await daemon.Store.FindAsync(name, CancellationToken.None))!;
        await coordinator.RefreshAsync(name);
        var after = (await daemon.Store.FindAsync(name, CancellationToken.None))!;
        var log = daemon.LogText;
        postfix.Dispose();
        await daemon.DisposeAsync();
        await using var restarted = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:StateDirectory"] = state });
        var reopened = (await restarted.Store.FindAsync(name, CancellationToken.None))!;

        // While the disk is full the store cannot even be read, but Postfix is still served the valid token it had.
        Assert.Equal($"OK {AuthServer.User}:{before.Grant.AccessToken!.Reveal()}", servedWhileFull);
        Assert.Equal(before.Grant.AccessToken.Reveal(), whileFull.Grant.AccessToken!.Reveal());
        Assert.Equal(before.Grant.RefreshToken!.Reveal(), whileFull.Grant.RefreshToken!.Reveal());
        Assert.Equal(before.Grant.AccessToken.Reveal() + "\n", fileWhileFull);
        Assert.Contains("No space left on device", log, StringComparison.Ordinal);
        Assert.NotEqual(before.Grant.AccessToken.Reveal(), after.Grant.AccessToken!.Reveal());
        Assert.Equal(after.Grant.AccessToken.Reveal() + "\n", File.ReadAllText(tokenFile));
        Assert.Equal(after.Grant.AccessToken.Reveal(), reopened.Grant.AccessToken!.Reveal());
        Assert.Equal(after.Grant.RefreshToken!.Reveal(), reopened.Grant.RefreshToken!.Reveal());
        Assert.Empty(_server.Issued.FoundIn(log));
        ReliabilityReport.Write(output, "disk full under the store", "a refresh on a full 4 MiB tmpfs", "grant and token file kept, token still served, refresh and restart fine once there was space");
    }

    [Fact]
    public async Task A_full_token_file_disk_keeps_the_old_file_whole_says_why_and_the_next_token_is_written_once_there_is_space()
    {
        using var disk = await Tmpfs.MountAsync(64);
        var tokenFile = Path.Combine(disk.Path, "work.token");
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:TokenFiles:AllowedDirectories:0"] = disk.Path });
        var before = await daemon.ConsentAsync(_server, tokenFile: new TokenFileSettings { Path = tokenFile });
        var coordinator = daemon.App.Services.GetRequiredService<RefreshCoordinator>();

        var filler = disk.Fill();
        var refreshed = await coordinator.RefreshAsync(before.Account.Name);
        var fileWhileFull = File.ReadAllText(tokenFile);
        File.Delete(filler);
        var again = await coordinator.RefreshAsync(before.Account.Name);

        Assert.NotEqual(before.Grant.AccessToken!.Reveal(), refreshed!.Entry.Grant.AccessToken!.Reveal());
        Assert.Equal(before.Grant.AccessToken.Reveal() + "\n", fileWhileFull);
        Assert.Contains("No space left on device", daemon.LogText, StringComparison.Ordinal);
        Assert.Equal(again!.Entry.Grant.AccessToken!.Reveal() + "\n", File.ReadAllText(tokenFile));
        Assert.Equal(["work.token"], Directory.EnumerateFileSystemEntries(disk.Path).Select(Path.GetFileName));
        Assert.Empty(_server.Issued.FoundIn(daemon.LogText));
        ReliabilityReport.Write(output, "disk full under a token file", "a refresh with a full 64 KiB tmpfs", "old file whole, no temporary file left, next token written once there was space");
    }
}
