using TokenBroker.Core.Secrets;
using TokenBroker.Daemon.Tests.Refresh;
using TokenBroker.Storage.Postgres;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests;

/// <summary>
/// The versions the lookup cache is kept by: a grant written here or on another node moves its own
/// account's version only, so the tokens served for the others stay served from memory.
/// </summary>
public sealed class WatchedGrantStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MasterKey _key = MasterKey.Generate("test key");

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_grant_written_here_or_elsewhere_moves_its_accounts_version_only_and_an_account_list_change_moves_all()
    {
        // A check interval longer than the test: the periodic check would count a write whose notice is on its way as unsaid.
        var (here, elsewhere, _) = await TwoNodesAsync(TimeSpan.FromMinutes(1));
        await using var _here = here;
        await using var _elsewhere = elsewhere;
        var watched = new WatchedGrantStore(here);
        var (a, b) = (Samples.Account("a"), Samples.Account("b"));
        await watched.SaveAccountAsync(a, None);
        await watched.SaveAccountAsync(b, None);
        var versionOfA = watched.VersionOf(a.Name);

        var beforeWrite = watched.VersionOf(b.Name);
        await watched.UpdateGrantAsync(b.Name, grant => grant with { LastError = "written here" }, None);
        var beforeHold = watched.VersionOf(b.Name);
        await using (var hold = (await watched.HoldAsync(b.Name, None))!)
        {
            await hold.CommitAsync(grant => grant with { LastError = "committed under a hold" }, None);
        }

        var beforeElsewhere = watched.VersionOf(b.Name);
        await elsewhere.UpdateGrantAsync(b.Name, grant => grant with { LastError = "written elsewhere" }, None);
        await Scheduling.WaitForAsync(() => watched.VersionOf(b.Name) > beforeElsewhere);

        Assert.True(beforeHold > beforeWrite, "a write here moves its account's version on");
        Assert.True(beforeElsewhere > beforeHold, "a commit under a hold moves its account's version on");
        Assert.Equal(versionOfA, watched.VersionOf(a.Name));
        await watched.RemoveAsync(b.Name, None);
        Assert.True(watched.VersionOf(a.Name) > versionOfA, "a change to the account list moves every version on");
    }

    [Fact]
    public async Task A_change_without_a_notice_moves_every_version()
    {
        var (here, _, database) = await TwoNodesAsync(TimeSpan.FromMilliseconds(200));
        await using var _here = here;
        var watched = new WatchedGrantStore(here);
        var account = Samples.Account();
        await watched.SaveAccountAsync(account, None);
        var before = watched.VersionOf(account.Name);

        // Made by hand, or while the feed was down: it may be any account's.
        await PostgresSql.ScalarAsync<long>(database, "SELECT nextval('tokenbroker_change')");

        await Scheduling.WaitForAsync(() => watched.VersionOf(account.Name) > before);
    }

    /// <summary>Two stores on a new database, the first listening to the change feed with <paramref name="checkInterval"/>.</summary>
    private async Task<(PostgresGrantStore Here, PostgresGrantStore Elsewhere, string Database)> TwoNodesAsync(TimeSpan checkInterval)
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        var here = await PostgresGrantStore.OpenAsync(database, _key, None);
        var elsewhere = await PostgresGrantStore.OpenAsync(database, _key, None);
        var listening = new TaskCompletionSource();
        here.FeedStateChanged += (_, problem) => _ = problem is null && listening.TrySetResult();
        here.StartFeed(checkInterval);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return (here, elsewhere, database);
    }
}
