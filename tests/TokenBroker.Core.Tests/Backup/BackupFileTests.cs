using TokenBroker.Core.Accounts;
using TokenBroker.Core.Backup;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.Backup;

public sealed class BackupFileTests
{
    [Fact]
    public void Every_field_comes_back_including_a_binary_msal_cache_a_client_secret_and_a_token_file()
    {
        using var key = MasterKey.Generate("test");
        var account = Samples.Account() with
        {
            ClientSecret = Secret.FromText("client-secret"),
            Scopes = [],
            TokenFile = new TokenFileSettings { Path = "/run/tokenbroker/tokens/work.token", Group = "mail", Mode = (UnixFileMode)0b110_100_000 },
        };
        var grant = Samples.ActiveGrant(Samples.Now) with { MsalCache = Secret.FromBytes([0, 1, 2, 255, 254]), LastError = "none yet" };

        var (restoredAccount, restoredGrant) = Assert.Single(BackupFile.Open(BackupFile.Seal([new AccountEntry(account, grant, 7)], key), key));

        Assert.Equal(account.Provider, restoredAccount.Provider);
        Assert.Equal((account.Name, account.Username, account.ClientId), (restoredAccount.Name, restoredAccount.Username, restoredAccount.ClientId));
        Assert.Equal(account.ClientSecret, restoredAccount.ClientSecret);
        Assert.Equal(account.TokenFile, restoredAccount.TokenFile);
        Assert.Empty(restoredAccount.Scopes);
        Assert.Equal(account.MatchKeys, restoredAccount.MatchKeys);
        Assert.Equal(grant.MsalCache, restoredGrant.MsalCache);
        Assert.Equal(grant.RefreshToken, restoredGrant.RefreshToken);
        Assert.Equal(grant.AccessToken, restoredGrant.AccessToken);
        Assert.Equal((grant.State, grant.ExpiresAt, grant.IssuedAt, grant.LastRefresh, grant.LastError), (restoredGrant.State, restoredGrant.ExpiresAt, restoredGrant.IssuedAt, restoredGrant.LastRefresh, restoredGrant.LastError));
    }

    [Fact]
    public void The_key_id_is_readable_without_the_key_and_another_key_cannot_open_it()
    {
        using var key = MasterKey.Generate("test");
        using var other = MasterKey.Generate("other");
        var backup = BackupFile.Seal([], key);

        Assert.Equal(key.KeyId, BackupFile.KeyId(backup));
        var error = Assert.Throws<InvalidDataException>(() => BackupFile.Open(backup, other));
        Assert.Contains($"sealed with master key id {key.KeyId}, not {other.KeyId}", error.Message, StringComparison.Ordinal);
    }
}
