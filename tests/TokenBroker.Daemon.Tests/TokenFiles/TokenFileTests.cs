using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.TokenFiles;

/// <summary>Token files for fetchmail's <c>passwordfile</c>: current, atomic, private, and never written through someone else's link.</summary>
public sealed class TokenFileTests : DaemonWithServer
{
    private string Tokens => Path.Combine(Daemon.StateDirectory, "tokens");

    private string TokenPath => Path.Combine(Tokens, "work.token");

    [Fact]
    public async Task After_consent_and_after_every_refresh_the_file_holds_the_current_token_and_a_newline()
    {
        Directory.CreateDirectory(Tokens);

        var entry = await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = TokenPath });

        Assert.Equal(entry.Grant.AccessToken!.Reveal() + "\n", File.ReadAllText(TokenPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenPath));
        var refreshed = await RefreshAsync();
        Assert.Equal(refreshed + "\n", File.ReadAllText(TokenPath));
        Assert.Empty(Directory.EnumerateFiles(Tokens, ".*"));
        Assert.Empty(Server.Issued.FoundIn(Daemon.LogText));
    }

    [Fact]
    public async Task A_reader_in_a_loop_never_sees_a_partial_or_empty_file()
    {
        Directory.CreateDirectory(Tokens);
        await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = TokenPath });
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var seen = new HashSet<string>();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                seen.Add(File.ReadAllText(TokenPath));
                reads++;
            }
        });

        for (var i = 0; i < 15; i++)
        {
            await RefreshAsync();
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(reads > 15, $"only {reads} reads");
        Assert.All(seen, content => Assert.Contains(content.TrimEnd('\n'), Server.Issued.All));
        Assert.All(seen, content => Assert.EndsWith("\n", content, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_configured_mode_and_group_are_applied()
    {
        Directory.CreateDirectory(Tokens);

        await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = TokenPath, Group = "postfix", Mode = (UnixFileMode)0b110_100_000 });

        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(TokenPath));
        Assert.Equal("postfix", (await Command.RunAsync("stat", ["-c", "%G", TokenPath])).Stdout.Trim());
    }

    [Fact]
    public async Task A_file_outside_the_allowed_directories_is_refused_with_the_setting_to_change()
    {
        using var elsewhere = new TempDirectory();
        var path = elsewhere.Combine("work.token");

        await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = path });

        Assert.False(File.Exists(path));
        Assert.Contains($"token file {path} is outside the allowed directories", Daemon.LogText, StringComparison.Ordinal);
        Assert.Contains("TokenBroker:TokenFiles:AllowedDirectories", Daemon.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allowing_the_root_directory_allows_any_real_directory()
    {
        using var anywhere = new TempDirectory();
        var path = anywhere.Combine("work.token");
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:TokenFiles:AllowedDirectories:0"] = "/" });

        var entry = await daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = path });

        Assert.Equal(entry.Grant.AccessToken!.Reveal() + "\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_symbolic_link_planted_at_the_file_or_on_its_way_is_not_written_through()
    {
        using var victim = new TempDirectory();
        File.WriteAllText(victim.Combine("passwd"), "precious\n");
        Directory.CreateDirectory(Tokens);
        File.CreateSymbolicLink(TokenPath, victim.Combine("passwd"));
        Directory.CreateSymbolicLink(Path.Combine(Tokens, "linked"), victim.Path);

        await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = TokenPath });
        await Daemon.ConsentAsync(Server, "other", tokenFile: new TokenFileSettings { Path = Path.Combine(Tokens, "linked", "passwd") });

        Assert.Equal("precious\n", File.ReadAllText(victim.Combine("passwd")));
        Assert.Contains($"token file {TokenPath} is a symbolic link", Daemon.LogText, StringComparison.Ordinal);
        Assert.Contains($"the directory {Path.Combine(Tokens, "linked")} of token file", Daemon.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_belongs_to_another_user_is_left_alone()
    {
        Directory.CreateDirectory(Tokens);
        File.WriteAllText(TokenPath, "theirs\n");
        Assert.Equal(0, (await Command.RunAsync("chown", ["nobody", TokenPath])).ExitCode);

        await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = TokenPath });

        Assert.Equal("theirs\n", File.ReadAllText(TokenPath));
        Assert.Contains($"token file {TokenPath} belongs to uid", Daemon.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_that_needs_consent_keeps_its_last_file_until_consent_brings_a_new_token()
    {
        Directory.CreateDirectory(Tokens);
        var settings = new TokenFileSettings { Path = TokenPath };
        var entry = await Daemon.ConsentAsync(Server, tokenFile: settings);
        await Server.RevokeTokenAsync(entry.Grant.RefreshToken!.Reveal());

        var failed = await Daemon.App.Services.GetRequiredService<GrantRefresher>().RefreshAsync(entry.Account.Name, CancellationToken.None);

        Assert.Equal(GrantState.NeedsConsent, failed!.Entry.Grant.State);
        Assert.Equal(entry.Grant.AccessToken!.Reveal() + "\n", File.ReadAllText(TokenPath));
        var again = await Daemon.ConsentAsync(Server, tokenFile: settings);
        Assert.Equal(again.Grant.AccessToken!.Reveal() + "\n", File.ReadAllText(TokenPath));
    }

    [Fact]
    public async Task A_restarted_daemon_writes_the_files_of_accounts_with_a_valid_token()
    {
        Directory.CreateDirectory(Tokens);
        var entry = await Daemon.ConsentAsync(Server, tokenFile: new TokenFileSettings { Path = TokenPath });
        var state = Daemon.StateDirectory;
        await Daemon.StopAsync();
        File.Delete(TokenPath);

        await using var restarted = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:StateDirectory"] = state });

        Assert.Equal(entry.Grant.AccessToken!.Reveal() + "\n", File.ReadAllText(TokenPath));
    }

    private async Task<string> RefreshAsync()
    {
        var outcome = await Daemon.App.Services.GetRequiredService<GrantRefresher>().RefreshAsync(AccountName.Parse("work"), CancellationToken.None);
        Assert.Null(outcome!.Failure);
        return outcome.Entry.Grant.AccessToken!.Reveal();
    }
}
