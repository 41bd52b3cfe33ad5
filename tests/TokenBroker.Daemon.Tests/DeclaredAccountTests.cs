using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests;

/// <summary>Accounts declared in the configuration: added at start, their settings applied again at every start, their grant kept.</summary>
public sealed class DeclaredAccountTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private AuthServer _server = null!;

    public async Task InitializeAsync() => _server = await AuthServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_declared_account_is_added_and_a_restart_with_new_settings_keeps_its_grant()
    {
        var secret = _directory.Combine("client.secret");
        File.WriteAllText(secret, AuthServer.ConfidentialSecret + "\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var name = AccountName.Parse("declared");

        await using (var first = await InProcessDaemon.StartAsync(Settings(secret, "[smtp.example.test]:587")))
        {
            var added = (await first.Store.FindAsync(name, CancellationToken.None))!;
            Assert.Equal(GrantState.NeedsConsent, added.Grant.State);
            Assert.Equal(AuthServer.ConfidentialSecret, added.Account.ClientSecret!.Reveal());
            var begun = (await first.Coordinator.StartAsync(name, CancellationToken.None))!.Value!;
            await first.Coordinator.CompleteAsync(await _server.FollowAuthorizationAsync(begun.AuthorizationUri), CancellationToken.None);
            await first.StopAsync();
        }

        await using var second = await InProcessDaemon.StartAsync(Settings(secret, "[smtp.example.test]:465"));
        var entry = (await second.Store.FindAsync(name, CancellationToken.None))!;
        Assert.Equal(["[smtp.example.test]:465"], entry.Account.MatchKeys);
        Assert.Equal(GrantState.Active, entry.Grant.State);
        Assert.Contains("Account declared from the configuration: settings applied, grant kept", second.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthServer.ConfidentialSecret, second.LogText, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(string secret, string matchKey) => new()
    {
        ["TokenBroker:StateDirectory"] = _directory.Combine("state"),
        ["TokenBroker:Accounts:declared:Provider"] = "generic",
        ["TokenBroker:Accounts:declared:Username"] = AuthServer.User,
        ["TokenBroker:Accounts:declared:ClientId"] = AuthServer.ConfidentialClient,
        ["TokenBroker:Accounts:declared:ClientSecretFile"] = secret,
        ["TokenBroker:Accounts:declared:Issuer"] = _server.BaseUri.AbsoluteUri,
        ["TokenBroker:Accounts:declared:Scopes:0"] = "mail",
        ["TokenBroker:Accounts:declared:Scopes:1"] = "offline_access",
        ["TokenBroker:Accounts:declared:MatchKeys:0"] = matchKey,
    };
}
