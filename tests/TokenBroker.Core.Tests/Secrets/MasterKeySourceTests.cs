using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.Secrets;

public sealed class MasterKeySourceTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly StateLayout _layout;

    public MasterKeySourceTests() => _layout = new StateLayout(_directory.Combine("state"));

    [Fact]
    public void The_systemd_credential_wins_when_present()
    {
        var credentials = _directory.Combine("credentials");
        Directory.CreateDirectory(credentials);
        File.WriteAllText(Path.Combine(credentials, "tokenbroker.key"), "x");

        var source = MasterKeySource.Resolve("/etc/tokenbroker/other.key", credentials, _layout);

        Assert.Equal(new MasterKeySource(Path.Combine(credentials, "tokenbroker.key"), CreateIfMissing: false, IsCredential: true), source);
    }

    [Fact]
    public void A_configured_key_file_is_used_and_never_created()
    {
        var source = MasterKeySource.Resolve("/etc/tokenbroker/tokenbroker.key", _directory.Combine("no-credentials"), _layout);

        Assert.Equal(new MasterKeySource("/etc/tokenbroker/tokenbroker.key", CreateIfMissing: false), source);
    }

    [Fact]
    public void Without_configuration_the_key_is_created_once_in_the_state_directory()
    {
        Directory.CreateDirectory(_layout.Directory);
        var source = MasterKeySource.Resolve(null, null, _layout);

        using var first = source.LoadOrCreate(out var createdFirst);
        using var second = source.LoadOrCreate(out var createdSecond);

        Assert.Equal(_layout.DefaultKeyFile, source.Path);
        Assert.True(createdFirst);
        Assert.False(createdSecond);
        Assert.Equal(first.KeyId, second.KeyId);
    }

    [Fact]
    public void A_missing_configured_key_file_is_an_error_not_a_new_key()
    {
        var path = _directory.Combine("configured.key");
        var source = MasterKeySource.Resolve(path, null, _layout);

        Assert.Throws<SetupException>(() => source.LoadOrCreate(out _));
        Assert.False(File.Exists(path));
    }

    public void Dispose() => _directory.Dispose();
}
