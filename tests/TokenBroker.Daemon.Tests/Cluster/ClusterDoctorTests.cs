using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Cluster;

/// <summary><c>tokenbroker doctor</c> on a node of the shared store: the database instead of a store file, and the database gone.</summary>
public sealed class ClusterDoctorTests
{
    [Fact]
    public async Task Doctor_checks_the_shared_store_and_names_a_database_that_went_away()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var server = await AuthServer.StartAsync();
        await using var lab = await ClusterLab.CreateAsync(server, await postgres.CreateDatabaseAsync());
        await lab.AddConsentedAccountsAsync(1);
        await lab.StartNodeAsync("relay1");
        await lab.Node("relay1").WaitForLineAsync("Change feed listening on");

        var healthy = await DoctorAsync(lab);
        await postgres.StopAsync();
        await lab.Node("relay1").WaitForLineAsync("Change feed lost the database");
        var down = await DoctorAsync(lab);
        await postgres.StartAgainAsync();

        Assert.Contains($"[ ok ] store: {lab.Store.Location}, shared; change feed listening", healthy.Lines);
        Assert.DoesNotContain(healthy.Lines, l => l.Contains("store file", StringComparison.Ordinal));
        Assert.Contains(healthy.Lines, l => l.StartsWith("[ ok ] account account0: ", StringComparison.Ordinal));
        Assert.Equal(1, down.ExitCode);
        Assert.Contains(down.Lines, l => l.StartsWith($"[FAIL] store: {lab.Store.Location}: the change feed is not listening (", StringComparison.Ordinal));
        Assert.Contains(down.Lines, l => l.StartsWith($"[FAIL] accounts: the store cannot be read: the PostgreSQL store {lab.Store.Location} is unavailable: ", StringComparison.Ordinal)
            && l.EndsWith("fix: bring PostgreSQL back or make it reachable from this node; meanwhile the node serves the tokens it has cached", StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string[] Lines)> DoctorAsync(ClusterLab lab)
    {
        var result = await lab.CliAsync("relay1", "doctor");
        return (result.ExitCode, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
