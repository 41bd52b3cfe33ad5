using System.Text;
using TokenBroker.Core;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests;

public sealed class LiteDbGrantStoreTests : IDisposable
{
    private readonly LiteDbStoreFixture _fixture = new();

    [Fact]
    public async Task The_files_on_disk_hold_no_plaintext_secret()
    {
        var account = Samples.Account();
        await _fixture.Store.SaveAccountAsync(account, CancellationToken.None);
        await _fixture.Store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), CancellationToken.None);
        _fixture.Store.Dispose();

        var files = _fixture.Directory.Snapshot();

        Assert.Contains(files.Keys, f => f.EndsWith("tokenbroker.db", StringComparison.Ordinal));
        Assert.Contains(files.Values, bytes => Contains(bytes, Encoding.UTF8.GetBytes(account.Username)));
        foreach (var secret in new[] { Samples.RefreshTokenText, Samples.ClientSecretText, Samples.AccessTokenText, "msal-cache-6f10c2d8" })
        {
            foreach (var encoding in new[] { Encoding.UTF8, Encoding.Unicode })
            {
                Assert.DoesNotContain(files, f => Contains(f.Value, encoding.GetBytes(secret)));
            }
        }
    }

    [Fact]
    public void The_state_directory_store_and_lock_are_private()
    {
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(_fixture.Layout.Directory));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_fixture.Layout.StoreFile));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_fixture.Layout.LockFile));
        Assert.True(_fixture.Store.Created);
    }

    [Fact]
    public void A_second_open_of_the_same_state_directory_is_refused_until_the_first_closes()
    {
        using var otherKey = MasterKey.Generate("other");

        var error = Assert.Throws<SetupException>(() => LiteDbGrantStore.Open(_fixture.Layout, _fixture.Key));

        Assert.Contains("another tokenbrokerd", error.Message, StringComparison.Ordinal);
        Assert.Contains(_fixture.Layout.LockFile, error.Message, StringComparison.Ordinal);
        _fixture.Reopen();
        Assert.False(_fixture.Store.Created);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_by_name_and_the_store_is_left_byte_for_byte()
    {
        await _fixture.Store.SaveAccountAsync(Samples.Account(), CancellationToken.None);
        _fixture.Store.Dispose();
        var before = _fixture.Directory.Snapshot();
        using var wrongKey = MasterKey.Generate("/etc/tokenbroker/wrong.key");

        var error = Assert.Throws<SetupException>(() => LiteDbGrantStore.Open(_fixture.Layout, wrongKey));

        Assert.Contains("/etc/tokenbroker/wrong.key", error.Message, StringComparison.Ordinal);
        Assert.Contains(_fixture.Layout.StoreFile, error.Message, StringComparison.Ordinal);
        AssertUnchanged(before);
        _fixture.Reopen();
        Assert.Single((await _fixture.Store.ListAsync(CancellationToken.None)).Accounts);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("zeroed header")]
    [InlineData("trailing partial page")]
    public async Task A_damaged_store_file_is_refused_by_name_and_never_rewritten(string damage)
    {
        await _fixture.Store.SaveAccountAsync(Samples.Account(), CancellationToken.None);
        _fixture.Store.Dispose();
        var file = _fixture.Layout.StoreFile;
        var bytes = File.ReadAllBytes(file);
        var damaged = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "garbage" => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not a database ", 1000))),
            "empty" => [],
            "trailing partial page" => [.. bytes, .. new byte[100]],
            _ => [.. new byte[64], .. bytes[64..]],
        };
        File.WriteAllBytes(file, damaged);
        var before = _fixture.Directory.Snapshot();

        var error = Assert.Throws<SetupException>(() => LiteDbGrantStore.Open(_fixture.Layout, _fixture.Key));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("left untouched", error.Message, StringComparison.Ordinal);
        AssertUnchanged(before);
        File.WriteAllBytes(file, bytes);
        _fixture.Reopen();
    }

    [Fact]
    public void A_store_file_readable_by_others_is_refused_with_the_chmod_to_run()
    {
        _fixture.Store.Dispose();
        var file = _fixture.Layout.StoreFile;
        File.SetUnixFileMode(file, PrivateFiles.FileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<SetupException>(() => LiteDbGrantStore.Open(_fixture.Layout, _fixture.Key));

        Assert.Contains($"chmod 600 {file}", error.Message, StringComparison.Ordinal);
        Assert.Contains("0644", error.Message, StringComparison.Ordinal);
        File.SetUnixFileMode(file, PrivateFiles.FileMode);
        _fixture.Reopen();
    }

    public void Dispose() => _fixture.Dispose();

    private void AssertUnchanged(IReadOnlyDictionary<string, byte[]> before)
    {
        var after = _fixture.Directory.Snapshot();
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
