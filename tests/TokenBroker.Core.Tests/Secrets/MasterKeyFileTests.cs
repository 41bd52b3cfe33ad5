using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.Secrets;

public sealed class MasterKeyFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void A_created_key_file_is_private_and_loads_the_same_key()
    {
        var path = _directory.Combine("tokenbroker.key");

        using var created = MasterKeyFile.Create(path);
        using var loaded = MasterKeyFile.Load(path);

        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(path));
        Assert.Equal(created.KeyId, loaded.KeyId);
        Assert.Equal(path, loaded.Source);
        Assert.Equal(45, new FileInfo(path).Length);
    }

    [Fact]
    public void Creating_over_an_existing_key_fails_and_keeps_it()
    {
        var path = _directory.Combine("tokenbroker.key");
        using var first = MasterKeyFile.Create(path);
        var before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => MasterKeyFile.Create(path));

        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Thirty_two_raw_bytes_are_a_key()
    {
        var path = _directory.Combine("raw.key");
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(path, bytes);
        File.SetUnixFileMode(path, PrivateFiles.FileMode);

        using var key = MasterKeyFile.Load(path);

        using var expected = new MasterKey(bytes, "expected");
        Assert.Equal(expected.KeyId, key.KeyId);
    }

    [Theory]
    [InlineData("too short")]
    [InlineData("AAAA")]
    [InlineData("")]
    public void A_malformed_key_file_is_refused_by_name(string content)
    {
        var path = _directory.Combine("bad.key");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, PrivateFiles.FileMode);

        var error = Assert.Throws<SetupException>(() => MasterKeyFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("expected 32 raw bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void A_key_file_others_can_access_is_refused_with_the_chmod_to_run(UnixFileMode extra)
    {
        var path = _directory.Combine("loose.key");
        MasterKeyFile.Create(path).Dispose();
        File.SetUnixFileMode(path, PrivateFiles.FileMode | extra);

        var error = Assert.Throws<SetupException>(() => MasterKeyFile.Load(path));

        Assert.Contains($"chmod 600 {path}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_file_names_the_path_and_the_fix()
    {
        var path = _directory.Combine("missing.key");

        var error = Assert.Throws<SetupException>(() => MasterKeyFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("tokenbroker init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_prints_its_id_and_source_but_never_its_bytes()
    {
        var bytes = Enumerable.Repeat((byte)0xAB, 32).ToArray();
        using var key = new MasterKey(bytes, "/etc/tokenbroker/tokenbroker.key");
        using var other = MasterKey.Generate("other");

        Assert.Equal($"master key {key.KeyId} from /etc/tokenbroker/tokenbroker.key", key.ToString());
        Assert.Matches("^[0-9a-f]{16}$", key.KeyId);
        Assert.NotEqual(key.KeyId, other.KeyId);
        Assert.DoesNotContain("abab", key.KeyId, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
