using LiteDB;
using TokenBroker.Core;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests;

/// <summary>Rekey of the LiteDB store, and what the next open does with each state a crash can leave.</summary>
public sealed class LiteDbRekeyTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly StateLayout _layout;
    private readonly string _keyFile;
    private readonly MasterKeySource _source;

    public LiteDbRekeyTests()
    {
        _layout = new StateLayout(_directory.Combine("state"));
        _keyFile = _directory.Combine("tokenbroker.key");
        _source = new MasterKeySource(_keyFile, CreateIfMissing: true);
    }

    private string PendingKey => MasterKeyFile.PendingPath(_keyFile);

    [Fact]
    public async Task Rekey_seals_everything_with_a_new_key_that_replaces_the_key_file_and_loses_nothing()
    {
        var before = await SeedAsync();
        var oldKeyId = KeyIdInFile();

        using (var store = LiteDbGrantStore.Open(_layout, _source))
        {
            var change = await store.RekeyAsync(CancellationToken.None);
            Assert.Equal((_keyFile, oldKeyId, KeyIdInFile(), 3), (change.KeyFile, change.OldKeyId, change.NewKeyId, change.Accounts));
            Assert.Equal(change.NewKeyId, store.Key.KeyId);
            Assert.Equal(before, await StoreContents.ReadAsync(store));
            await store.UpdateGrantAsync(Samples.Account("a").Name, g => g with { LastError = "after the rekey" }, CancellationToken.None);
        }

        Assert.NotEqual(oldKeyId, KeyIdInFile());
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_keyFile));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_layout.StoreFile));
        Assert.Equal(
            ["tokenbroker.db", "tokenbroker.lock"],
            Directory.EnumerateFileSystemEntries(_layout.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(PendingKey));
        using var reopened = LiteDbGrantStore.Open(_layout, _source);
        Assert.Equal(RekeyRecovery.None, reopened.Recovery);
        Assert.Contains("after the rekey", (await StoreContents.ReadAsync(reopened))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_old_key_no_longer_opens_the_store()
    {
        await SeedAsync();
        var oldKey = File.ReadAllBytes(_keyFile);
        using (var store = LiteDbGrantStore.Open(_layout, _source))
        {
            await store.RekeyAsync(CancellationToken.None);
        }

        using var key = MasterKeyFile.FromContent(oldKey, "the old key");
        var error = Assert.Throws<SetupException>(() => LiteDbGrantStore.Open(_layout, key));
        Assert.Contains("does not open store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_after_the_store_was_replaced_is_finished_at_the_next_open()
    {
        var before = await SeedAsync();
        await RekeyToBetweenTheRenamesAsync();
        var newKeyId = KeyIdIn(PendingKey);

        using var reopened = LiteDbGrantStore.Open(_layout, _source);

        Assert.Equal(RekeyRecovery.Finished, reopened.Recovery);
        Assert.Equal(newKeyId, KeyIdInFile());
        Assert.False(File.Exists(PendingKey));
        Assert.Equal(before, await StoreContents.ReadAsync(reopened));
    }

    [Fact]
    public async Task A_pending_key_the_store_needs_is_never_deleted_even_when_it_cannot_be_read()
    {
        var before = await SeedAsync();
        await RekeyToBetweenTheRenamesAsync();
        File.SetUnixFileMode(PendingKey, PrivateFiles.FileMode | UnixFileMode.OtherRead);

        var error = Assert.Throws<SetupException>(() => LiteDbGrantStore.Open(_layout, _source));
        Assert.Contains("does not open store", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(PendingKey));

        File.SetUnixFileMode(PendingKey, PrivateFiles.FileMode);
        using var reopened = LiteDbGrantStore.Open(_layout, _source);
        Assert.Equal(RekeyRecovery.Finished, reopened.Recovery);
        Assert.Equal(before, await StoreContents.ReadAsync(reopened));
    }

    [Fact]
    public async Task A_key_file_that_cannot_be_replaced_at_the_end_leaves_a_working_store_that_the_next_open_finishes()
    {
        var before = await SeedAsync();
        using (var store = LiteDbGrantStore.Open(_layout, _source))
        {
            File.Delete(_keyFile);
            Directory.CreateDirectory(Path.Combine(_keyFile, "in-the-way"));

            var error = await Assert.ThrowsAsync<SetupException>(() => store.RekeyAsync(CancellationToken.None));

            Assert.StartsWith("the store is sealed with the new key", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, await StoreContents.ReadAsync(store));
            await store.UpdateGrantAsync(Samples.Account("a").Name, g => g with { LastError = "after" }, CancellationToken.None);
        }

        Directory.Delete(_keyFile, recursive: true);
        using var reopened = LiteDbGrantStore.Open(_layout, _source);
        Assert.Equal(RekeyRecovery.Finished, reopened.Recovery);
        Assert.Contains("after", (await StoreContents.ReadAsync(reopened))[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pending key only")]
    [InlineData("pending key and half a copy")]
    [InlineData("pending key cut off")]
    public async Task A_crash_before_the_store_was_replaced_is_undone_at_the_next_open(string state)
    {
        var before = await SeedAsync();
        var keyId = KeyIdInFile();
        var storeBytes = File.ReadAllBytes(_layout.StoreFile);
        using (MasterKeyFile.CreatePending(_keyFile))
        {
        }

        var copy = Path.Combine(_layout.Directory, "tokenbroker-rekey.db");
        if (state == "pending key and half a copy")
        {
            File.WriteAllBytes(copy, storeBytes.AsSpan(0, 8192).ToArray());
        }
        else if (state == "pending key cut off")
        {
            File.WriteAllText(PendingKey, "c2hvcnQ=");
        }

        using var reopened = LiteDbGrantStore.Open(_layout, _source);

        Assert.Equal(RekeyRecovery.Undone, reopened.Recovery);
        Assert.Equal(keyId, KeyIdInFile());
        Assert.False(File.Exists(PendingKey));
        Assert.False(File.Exists(copy));
        Assert.Equal(before, await StoreContents.ReadAsync(reopened));
    }

    [Fact]
    public async Task A_rekey_that_cannot_write_the_new_key_changes_nothing_and_says_why()
    {
        await SeedAsync();
        var files = _directory.Snapshot();
        Directory.CreateDirectory(PendingKey);

        using (var store = LiteDbGrantStore.Open(_layout, _source))
        {
            var error = await Assert.ThrowsAsync<SetupException>(() => store.RekeyAsync(CancellationToken.None));
            Assert.Contains($"cannot write the new key and store beside {_keyFile}", error.Message, StringComparison.Ordinal);
            Assert.EndsWith("nothing was changed", error.Message, StringComparison.Ordinal);
            Assert.Equal(3, (await StoreContents.ReadAsync(store)).Count);
        }

        Directory.Delete(PendingKey);
        Assert.Equal(files, _directory.Snapshot());
    }

    [Fact]
    public async Task An_account_that_cannot_be_read_stops_the_rekey_before_anything_is_written()
    {
        await SeedAsync();
        using (var database = new LiteDatabase(new ConnectionString { Filename = _layout.StoreFile, Upgrade = false }))
        {
            // A sealed value moved to another field fails authentication: the account lists, but cannot be read.
            var accounts = database.GetCollection("accounts");
            var document = accounts.FindById("b");
            document["grant"]["access_token"] = document["grant"]["refresh_token"];
            accounts.Update(document);
        }

        var files = _directory.Snapshot();
        using (var store = LiteDbGrantStore.Open(_layout, _source))
        {
            var error = await Assert.ThrowsAsync<SetupException>(() => store.RekeyAsync(CancellationToken.None));
            Assert.StartsWith("account b cannot be read", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(files, _directory.Snapshot());
    }

    [Fact]
    public async Task A_systemd_credential_is_never_replaced()
    {
        await SeedAsync();
        using var store = LiteDbGrantStore.Open(_layout, _source with { CreateIfMissing = false, IsCredential = true });

        var error = await Assert.ThrowsAsync<SetupException>(() => store.RekeyAsync(CancellationToken.None));

        Assert.Contains("systemd credential", error.Message, StringComparison.Ordinal);
        Assert.Contains("backup and restore", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private async Task<IReadOnlyList<string>> SeedAsync()
    {
        using var store = LiteDbGrantStore.Open(_layout, _source);
        foreach (var name in new[] { "a", "b", "c" })
        {
            var account = Samples.Account(name);
            await store.SaveAccountAsync(account, CancellationToken.None);
            await store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), CancellationToken.None);
        }

        return await StoreContents.ReadAsync(store);
    }

    /// <summary>A rekey, then the files put back as a crash between the two renames leaves them: the store sealed with the new key, the new key still pending.</summary>
    private async Task RekeyToBetweenTheRenamesAsync()
    {
        var oldKey = File.ReadAllBytes(_keyFile);
        using (var store = LiteDbGrantStore.Open(_layout, _source))
        {
            await store.RekeyAsync(CancellationToken.None);
        }

        File.Move(_keyFile, PendingKey);
        File.WriteAllBytes(_keyFile, oldKey);
        File.SetUnixFileMode(_keyFile, PrivateFiles.FileMode);
    }

    private string KeyIdInFile() => KeyIdIn(_keyFile);

    private static string KeyIdIn(string file)
    {
        using var key = MasterKeyFile.Load(file);
        return key.KeyId;
    }
}
