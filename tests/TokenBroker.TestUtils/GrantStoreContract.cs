using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.TestUtils;

/// <summary>
/// What every <see cref="IGrantStore"/> must do. An implementation's test class derives from this
/// and supplies the store and raw access to its sealed fields; the tests run unchanged.
/// </summary>
public abstract class GrantStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The store under test, empty at the start of each test.</summary>
    protected abstract IGrantStore Store { get; }

    /// <summary>Closes the store and opens it again on the same data.</summary>
    protected abstract Task ReopenAsync();

    /// <summary>The stored (sealed) bytes of one secret field, read past the store's API.</summary>
    protected abstract Task<byte[]> ReadSealedAsync(AccountName name, SecretField field);

    /// <summary>Overwrites the stored (sealed) bytes of one secret field, past the store's API.</summary>
    protected abstract Task WriteSealedAsync(AccountName name, SecretField field, byte[] value);

    [Fact]
    public async Task A_new_store_lists_no_account()
    {
        var listing = await Store.ListAsync(None);

        Assert.Empty(listing.Accounts);
        Assert.Empty(listing.Unreadable);
    }

    [Fact]
    public async Task A_saved_account_reads_back_with_every_field_and_no_grant()
    {
        var account = Samples.Account();

        var saved = await Store.SaveAccountAsync(account, None);
        var found = await Store.FindAsync(account.Name, None);

        Assert.NotNull(found);
        AssertSameAccount(account, found.Account);
        Assert.Equal(GrantState.NeedsConsent, found.Grant.State);
        Assert.Null(found.Grant.RefreshToken);
        Assert.Equal(saved.Revision, found.Revision);
    }

    [Fact]
    public async Task A_grant_reads_back_with_every_field()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        var grant = Samples.ActiveGrant(Samples.Now);

        await Store.UpdateGrantAsync(account.Name, _ => grant, None);
        var found = await Store.FindAsync(account.Name, None);

        Assert.NotNull(found);
        AssertSameGrant(grant, found.Grant);
    }

    [Fact]
    public async Task Accounts_and_grants_survive_reopening_the_store()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        var grant = Samples.ActiveGrant(Samples.Now);
        await Store.UpdateGrantAsync(account.Name, _ => grant, None);

        await ReopenAsync();
        var found = await Store.FindAsync(account.Name, None);

        Assert.NotNull(found);
        AssertSameAccount(account, found.Account);
        AssertSameGrant(grant, found.Grant);
    }

    [Fact]
    public async Task Saving_an_account_again_keeps_its_grant_and_raises_the_revision()
    {
        var account = Samples.Account();
        var first = await Store.SaveAccountAsync(account, None);
        await Store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), None);

        var changed = account with { Username = "renamed@example.com", ClientSecret = null, TokenFile = null };
        var second = await Store.SaveAccountAsync(changed, None);

        Assert.Equal("renamed@example.com", second.Account.Username);
        Assert.Null(second.Account.ClientSecret);
        Assert.Null(second.Account.TokenFile);
        Assert.Equal(Samples.RefreshTokenText, second.Grant.RefreshToken?.Reveal());
        Assert.Equal(first.Revision + 2, second.Revision);
    }

    [Fact]
    public async Task Names_are_found_whatever_their_case()
    {
        await Store.SaveAccountAsync(Samples.Account("Work"), None);

        var found = await Store.FindAsync(AccountName.Parse("WORK"), None);

        Assert.NotNull(found);
        Assert.Equal("work", found.Account.Name.Value);
    }

    [Fact]
    public async Task An_unknown_account_is_not_found_updated_or_removed()
    {
        var name = AccountName.Parse("nobody");

        Assert.Null(await Store.FindAsync(name, None));
        Assert.Null(await Store.UpdateGrantAsync(name, g => g with { State = GrantState.Active }, None));
        Assert.False(await Store.RemoveAsync(name, None));
        Assert.Empty((await Store.ListAsync(None)).Accounts);
    }

    [Fact]
    public async Task Removing_an_account_deletes_it_and_its_grant()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        await Store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), None);

        Assert.True(await Store.RemoveAsync(account.Name, None));
        await Store.SaveAccountAsync(account, None);

        var found = await Store.FindAsync(account.Name, None);
        Assert.NotNull(found);
        Assert.Equal(GrantState.NeedsConsent, found.Grant.State);
        Assert.Null(found.Grant.RefreshToken);
    }

    [Fact]
    public async Task Replacing_all_accounts_leaves_exactly_the_new_ones_with_their_grants_and_survives_reopening()
    {
        var kept = Samples.Account("kept");
        await Store.SaveAccountAsync(Samples.Account("gone"), None);
        await Store.SaveAccountAsync(kept, None);
        var grant = Samples.ActiveGrant(Samples.Now);

        await Store.ReplaceAllAsync([(kept with { Username = "new@example.test" }, grant), (Samples.Account("added"), Grant.None)], None);
        await ReopenAsync();

        var listing = await Store.ListAsync(None);
        Assert.Equal(["added", "kept"], listing.Accounts.Select(e => e.Account.Name.Value));
        var found = (await Store.FindAsync(kept.Name, None))!;
        Assert.Equal("new@example.test", found.Account.Username);
        Assert.Equal(grant.RefreshToken, found.Grant.RefreshToken);
        Assert.Equal(grant.AccessToken, found.Grant.AccessToken);
        Assert.Equal(GrantState.Active, found.Grant.State);
    }

    [Fact]
    public async Task Accounts_are_listed_by_name()
    {
        foreach (var name in new[] { "mike", "alpha", "zulu" })
        {
            await Store.SaveAccountAsync(Samples.Account(name), None);
        }

        var listing = await Store.ListAsync(None);

        Assert.Equal(["alpha", "mike", "zulu"], listing.Accounts.Select(e => e.Account.Name.Value));
    }

    [Fact]
    public async Task A_hold_reads_the_account_and_its_commit_is_stored_and_read_back()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        var grant = Samples.ActiveGrant(Samples.Now);

        var hold = await Store.HoldAsync(account.Name, None);
        Assert.NotNull(hold);
        await using (hold)
        {
            Assert.Equal(GrantState.NeedsConsent, hold.Entry.Grant.State);
            var committed = await hold.CommitAsync(_ => grant, None);
            AssertSameGrant(grant, committed!.Grant);
        }

        AssertSameGrant(grant, (await Store.FindAsync(account.Name, None))!.Grant);
    }

    [Fact]
    public async Task A_second_hold_of_an_account_waits_for_the_first_and_reads_its_commit()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        var grant = Samples.ActiveGrant(Samples.Now);

        var first = (await Store.HoldAsync(account.Name, None))!;
        var second = Store.HoldAsync(account.Name, None);
        // A bounded look for a wrong early answer: a second hold given now would be the bug.
        await Task.WhenAny(second, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(second.IsCompleted);
        await first.CommitAsync(_ => grant, None);

        await using var held = (await second)!;
        AssertSameGrant(grant, held.Entry.Grant);
    }

    [Fact]
    public async Task A_hold_ended_without_a_commit_changes_nothing_and_frees_the_account()
    {
        var account = Samples.Account();
        var saved = await Store.SaveAccountAsync(account, None);

        await (await Store.HoldAsync(account.Name, None))!.DisposeAsync();
        await using var again = await Store.HoldAsync(account.Name, None);

        Assert.Equal(saved.Revision, again!.Entry.Revision);
        Assert.Equal(GrantState.NeedsConsent, again.Entry.Grant.State);
    }

    [Fact]
    public async Task A_hold_does_not_keep_other_accounts_from_being_held_or_updated()
    {
        var first = Samples.Account("first");
        var second = Samples.Account("second");
        await Store.SaveAccountAsync(first, None);
        await Store.SaveAccountAsync(second, None);

        await using var held = await Store.HoldAsync(first.Name, None);
        await using var other = await Store.HoldAsync(second.Name, None);
        var updated = await other!.CommitAsync(g => g with { LastError = "changed" }, None);

        Assert.Equal("changed", updated!.Grant.LastError);
    }

    [Fact]
    public async Task Holding_an_unknown_account_gives_no_hold()
    {
        Assert.Null(await Store.HoldAsync(AccountName.Parse("nobody"), None));
    }

    [Fact]
    public async Task Concurrent_updates_of_one_account_lose_no_update()
    {
        var account = Samples.Account();
        var start = await Store.SaveAccountAsync(account, None);
        const int Writers = 8;
        const int UpdatesEach = 25;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < UpdatesEach; i++)
            {
                await Store.UpdateGrantAsync(account.Name, g => g with
                {
                    AccessToken = Secret.FromText((g.AccessToken?.Reveal() ?? string.Empty) + "x"),
                }, None);
            }
        })));

        var found = await Store.FindAsync(account.Name, None);
        Assert.NotNull(found);
        Assert.Equal(Writers * UpdatesEach, found.Grant.AccessToken?.Length);
        Assert.Equal(start.Revision + (Writers * UpdatesEach), found.Revision);
    }

    [Fact]
    public async Task Concurrent_readers_and_writers_of_many_accounts_lose_nothing()
    {
        var names = Enumerable.Range(0, 16).Select(i => AccountName.Parse($"account{i}")).ToArray();

        var writers = names.Select(name => Task.Run(async () =>
        {
            await Store.SaveAccountAsync(Samples.Account(name.Value), None);
            for (var i = 1; i <= 10; i++)
            {
                var token = $"{name}-token-{i}";
                await Store.UpdateGrantAsync(name, g => g with { State = GrantState.Active, AccessToken = Secret.FromText(token) }, None);
            }
        }));
        var readers = Enumerable.Range(0, 8).Select(r => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                var listing = await Store.ListAsync(None);
                Assert.Empty(listing.Unreadable);
                await Store.FindAsync(names[(r + i) % names.Length], None);
            }
        }));
        await Task.WhenAll(writers.Concat(readers));

        var final = await Store.ListAsync(None);
        Assert.Equal(names.Length, final.Accounts.Count);
        foreach (var name in names)
        {
            Assert.Equal($"{name}-token-10", (await Store.FindAsync(name, None))!.Grant.AccessToken?.Reveal());
        }
    }

    [Fact]
    public async Task A_listing_carries_states_and_times_but_no_secret()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        var grant = Samples.ActiveGrant(Samples.Now);
        await Store.UpdateGrantAsync(account.Name, _ => grant, None);

        var listed = Assert.Single((await Store.ListAsync(None)).Accounts);

        Assert.Equal(GrantState.Active, listed.Grant.State);
        Assert.Equal(grant.ExpiresAt, listed.Grant.ExpiresAt);
        Assert.Equal(grant.LastRefresh, listed.Grant.LastRefresh);
        Assert.Null(listed.Grant.AccessToken);
        Assert.Null(listed.Grant.RefreshToken);
        Assert.Null(listed.Account.ClientSecret);
        Assert.NotNull((await Store.FindAsync(account.Name, None))!.Grant.AccessToken);
    }

    [Theory]
    [InlineData(SecretField.RefreshToken)]
    [InlineData(SecretField.AccessToken)]
    [InlineData(SecretField.MsalCache)]
    [InlineData(SecretField.ClientSecret)]
    public async Task A_tampered_secret_makes_only_its_account_unreadable_and_keeps_its_data(SecretField field)
    {
        var damaged = Samples.Account("damaged");
        var healthy = Samples.Account("healthy");
        foreach (var account in new[] { damaged, healthy })
        {
            await Store.SaveAccountAsync(account, None);
            await Store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), None);
        }

        var sealedValue = await ReadSealedAsync(damaged.Name, field);
        sealedValue[sealedValue.Length / 2] ^= 0x01;
        await WriteSealedAsync(damaged.Name, field, sealedValue);

        var listing = await Store.ListAsync(None);
        var unreadable = Assert.Single(listing.Unreadable);
        Assert.Equal(damaged.Name, unreadable.Name);
        Assert.Contains(SecretSealer.FieldName(field), unreadable.Reason, StringComparison.Ordinal);
        Assert.Equal(healthy.Name, Assert.Single(listing.Accounts).Account.Name);
        await Assert.ThrowsAsync<AccountUnreadableException>(() => Store.FindAsync(damaged.Name, None));
        await Assert.ThrowsAsync<AccountUnreadableException>(() => Store.UpdateGrantAsync(damaged.Name, g => Grant.None, None));
        Assert.Equal(sealedValue, await ReadSealedAsync(damaged.Name, field));

        var updated = await Store.UpdateGrantAsync(healthy.Name, g => g with { LastError = null }, None);
        Assert.NotNull(updated);
    }

    [Fact]
    public async Task A_secret_copied_to_another_account_fails_authentication()
    {
        var victim = Samples.Account("victim");
        var attacker = Samples.Account("attacker");
        foreach (var account in new[] { victim, attacker })
        {
            await Store.SaveAccountAsync(account, None);
        }

        await Store.UpdateGrantAsync(victim.Name, _ => Samples.ActiveGrant(Samples.Now), None);
        await Store.UpdateGrantAsync(attacker.Name, g => g with { RefreshToken = Secret.FromText("attacker-own-token") }, None);

        await WriteSealedAsync(attacker.Name, SecretField.RefreshToken, await ReadSealedAsync(victim.Name, SecretField.RefreshToken));

        await Assert.ThrowsAsync<AccountUnreadableException>(() => Store.FindAsync(attacker.Name, None));
        Assert.NotNull(await Store.FindAsync(victim.Name, None));
    }

    [Fact]
    public async Task A_secret_moved_to_another_field_fails_authentication()
    {
        var account = Samples.Account();
        await Store.SaveAccountAsync(account, None);
        await Store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), None);

        await WriteSealedAsync(account.Name, SecretField.AccessToken, await ReadSealedAsync(account.Name, SecretField.RefreshToken));

        await Assert.ThrowsAsync<AccountUnreadableException>(() => Store.FindAsync(account.Name, None));
    }

    private static void AssertSameAccount(Account expected, Account actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Provider, actual.Provider);
        Assert.Equal(expected.Username, actual.Username);
        Assert.Equal(expected.MatchKeys, actual.MatchKeys);
        Assert.Equal(expected.Scopes, actual.Scopes);
        Assert.Equal(expected.ClientId, actual.ClientId);
        Assert.Equal(expected.ClientSecret, actual.ClientSecret);
        Assert.Equal(expected.TokenFile, actual.TokenFile);
    }

    private static void AssertSameGrant(Grant expected, Grant actual)
    {
        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.RefreshToken?.Reveal(), actual.RefreshToken?.Reveal());
        Assert.Equal(expected.MsalCache?.Reveal(), actual.MsalCache?.Reveal());
        Assert.Equal(expected.AccessToken?.Reveal(), actual.AccessToken?.Reveal());
        Assert.Equal(expected.ExpiresAt, actual.ExpiresAt);
        Assert.Equal(expected.IssuedAt, actual.IssuedAt);
        Assert.Equal(expected.LastRefresh, actual.LastRefresh);
        Assert.Equal(expected.LastError, actual.LastError);
        Assert.Equal(expected.RefreshedBy, actual.RefreshedBy);
    }
}
