using Microsoft.Extensions.Time.Testing;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Core.Storage;
using TokenBroker.Storage;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.OAuth;

public sealed class GrantRefresherTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _directory = new();
    private readonly MasterKey _key = MasterKey.Generate("test");
    private LiteDbGrantStore? _store;

    [Fact]
    public async Task Each_refresh_commits_the_rotated_refresh_token_so_the_next_one_works()
    {
        var (store, refresher, account) = await ConsentedAsync();

        var first = await refresher.RefreshAsync(account.Name, None);
        var second = await refresher.RefreshAsync(account.Name, None);

        Assert.Null(first?.Failure);
        Assert.Null(second?.Failure);
        var stored = (await store.FindAsync(account.Name, None))!;
        Assert.Equal(second!.Entry.Grant.RefreshToken, stored.Grant.RefreshToken);
        Assert.NotEqual(first!.Entry.Grant.RefreshToken, stored.Grant.RefreshToken);
        Assert.Equal(GrantState.Active, stored.Grant.State);
    }

    [Fact]
    public async Task When_the_new_grant_cannot_be_stored_no_new_access_token_is_handed_out()
    {
        var (store, _, account) = await ConsentedAsync();
        var before = (await store.FindAsync(account.Name, None))!;
        var failing = new WriteFailingStore(store);
        var refresher = new GrantRefresher(failing, Clients(), TimeProvider.System);

        var error = await Assert.ThrowsAsync<IOException>(() => refresher.RefreshAsync(account.Name, None));

        Assert.Equal("disk full", error.Message);
        var after = (await store.FindAsync(account.Name, None))!;
        Assert.Equal(before.Grant.AccessToken, after.Grant.AccessToken);
        Assert.Equal(before.Revision, after.Revision);
    }

    [Fact]
    public async Task A_permanent_failure_needs_consent_and_keeps_the_still_valid_access_token()
    {
        var (store, refresher, account) = await ConsentedAsync();
        var before = (await store.FindAsync(account.Name, None))!;

        await fixture.Context.Server.RevokeUserAsync();
        var outcome = await refresher.RefreshAsync(account.Name, None);

        Assert.Equal("invalid_grant", outcome?.Failure?.Error);
        Assert.Equal(GrantState.NeedsConsent, outcome!.Entry.Grant.State);
        Assert.StartsWith("invalid_grant", outcome.Entry.Grant.LastError, StringComparison.Ordinal);
        Assert.Equal(before.Grant.AccessToken, outcome.Entry.Grant.AccessToken);
        Assert.Equal(before.Grant.ExpiresAt, outcome.Entry.Grant.ExpiresAt);
    }

    [Fact]
    public async Task A_transient_failure_marks_the_grant_failing_and_keeps_every_token()
    {
        var (store, refresher, account) = await ConsentedAsync();
        var before = (await store.FindAsync(account.Name, None))!;

        fixture.Context.Server.Fail(Fault.ServerError);
        var outcome = await refresher.RefreshAsync(account.Name, None);

        Assert.Equal(GrantState.Failing, outcome!.Entry.Grant.State);
        Assert.Equal(before.Grant.RefreshToken, outcome.Entry.Grant.RefreshToken);
        Assert.Equal(before.Grant.AccessToken, outcome.Entry.Grant.AccessToken);
        Assert.Equal("http_500", outcome.Failure?.Error);
    }

    [Fact]
    public async Task A_provider_that_does_not_answer_within_the_limit_on_the_daemons_clock_is_a_transient_timeout()
    {
        var (store, _, account) = await ConsentedAsync();
        var before = (await store.FindAsync(account.Name, None))!;
        var clock = new FakeTimeProvider();
        var server = fixture.Context.Server;
        (server.Clock, server.SlowBy) = (clock, GrantRefresher.ProviderTimeout * 2);
        try
        {
            server.Fail(Fault.Slow);
            var refresh = new GrantRefresher(store, Clients(), clock).RefreshAsync(account.Name, None);
            await server.WaitForFaultsTakenAsync();
            var outcome = await clock.DriveAsync(refresh, TimeSpan.FromSeconds(1));

            Assert.Equal(("timeout", OAuthFailureKind.Transient), (outcome!.Failure?.Error, outcome.Failure!.Kind));
            Assert.InRange(clock.GetUtcNow() - clock.Start, GrantRefresher.ProviderTimeout, GrantRefresher.ProviderTimeout + TimeSpan.FromSeconds(2));
            Assert.Equal(GrantState.Failing, outcome.Entry.Grant.State);
            Assert.Equal(before.Grant.RefreshToken, outcome.Entry.Grant.RefreshToken);
        }
        finally
        {
            (server.Clock, server.SlowBy) = (TimeProvider.System, TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_stop_that_arrives_after_the_provider_answered_still_commits_the_rotated_refresh_token()
    {
        var (store, _, account) = await ConsentedAsync();
        var before = (await store.FindAsync(account.Name, None))!;
        using var stop = new CancellationTokenSource();
        var refresher = new GrantRefresher(new StopArrivesStore(store, stop), Clients(), TimeProvider.System);

        var outcome = await refresher.RefreshAsync(account.Name, stop.Token);

        Assert.True(stop.IsCancellationRequested);
        Assert.Null(outcome!.Failure);
        var stored = (await store.FindAsync(account.Name, None))!;
        Assert.NotEqual(before.Grant.RefreshToken, stored.Grant.RefreshToken);
        Assert.Equal(outcome.Entry.Grant.RefreshToken, stored.Grant.RefreshToken);
    }

    [Fact]
    public async Task An_unknown_account_is_not_refreshed()
    {
        var (_, refresher, _) = await ConsentedAsync();

        Assert.Null(await refresher.RefreshAsync(AccountName.Parse("nobody"), None));
    }

    public void Dispose()
    {
        _store?.Dispose();
        _key.Dispose();
        _directory.Dispose();
    }

    private OAuthClients Clients() => new(new Dictionary<ProviderKind, IOAuthClient> { [ProviderKind.Generic] = fixture.Context.Client });

    private async Task<(IGrantStore Store, GrantRefresher Refresher, Account Account)> ConsentedAsync()
    {
        _store = LiteDbGrantStore.Open(new StateLayout(_directory.Combine("state")), _key);
        var account = fixture.Context.Account();
        await _store.SaveAccountAsync(account, None);
        var tokens = await fixture.Context.ConsentAsync(account);
        await _store.UpdateGrantAsync(account.Name, grant => GrantUpdates.Issued(grant, tokens), None);
        return (_store, new GrantRefresher(_store, Clients(), TimeProvider.System), account);
    }

    /// <summary>The daemon starts to stop just as the new grant is about to be written.</summary>
    private sealed class StopArrivesStore(IGrantStore inner, CancellationTokenSource stop) : IGrantStore
    {
        public Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken) => new LocalGrantHolds(this).HoldAsync(name, cancellationToken);

        public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) => inner.FindAsync(name, cancellationToken);

        public Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken) => inner.SaveAccountAsync(account, cancellationToken);

        public async Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken)
        {
            await stop.CancelAsync();
            return await inner.UpdateGrantAsync(name, change, cancellationToken);
        }

        public Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken) => inner.ReplaceAllAsync(entries, cancellationToken);

        public Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken) => inner.RemoveAsync(name, cancellationToken);
    }

    private sealed class WriteFailingStore(IGrantStore inner) : IGrantStore
    {
        public Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken) => new LocalGrantHolds(this).HoldAsync(name, cancellationToken);

        public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) => inner.FindAsync(name, cancellationToken);

        public Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken) => throw new IOException("disk full");

        public Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken) => throw new IOException("disk full");
    }
}
