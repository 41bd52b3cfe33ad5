using TokenBroker.Core.State;

namespace TokenBroker.Core.Tests.State;

public sealed class StateLayoutTests
{
    [Fact]
    public void A_configured_directory_wins_over_systemd()
    {
        Assert.Equal("/srv/tb", StateLayout.Resolve("/srv/tb", "/var/lib/tokenbroker").Directory);
    }

    [Fact]
    public void Systemds_state_directory_is_used_next_and_only_its_first_entry()
    {
        Assert.Equal("/var/lib/tokenbroker", StateLayout.Resolve(null, "/var/lib/tokenbroker:/var/lib/other").Directory);
    }

    [Fact]
    public void The_source_tree_default_is_var_under_the_working_directory()
    {
        var layout = StateLayout.Resolve(" ", null);

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "var"), layout.Directory);
        Assert.Equal(Path.Combine(layout.Directory, "tokenbroker.db"), layout.StoreFile);
        Assert.Equal(Path.Combine(layout.Directory, "tokenbroker.lock"), layout.LockFile);
        Assert.Equal(Path.Combine(layout.Directory, "tokenbroker.key"), layout.DefaultKeyFile);
    }
}
