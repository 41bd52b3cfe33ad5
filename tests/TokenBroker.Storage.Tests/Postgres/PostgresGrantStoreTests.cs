using System.Collections.Concurrent;
using Npgsql;
using TokenBroker.Core;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;
using TokenBroker.Storage.Postgres;
using TokenBroker.TestUtils;

namespace TokenBroker.Storage.Tests.Postgres;

/// <summary>What the shared store adds to the contract: migrations, the cluster's key, holds across nodes, the change feed, outages.</summary>
public sealed class PostgresGrantStoreTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_new_database_gets_every_migration_once_and_records_them()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        using var key = MasterKey.Generate("test key");

        await using (var first = await PostgresGrantStore.OpenAsync(database, key, None))
        {
            Assert.Equal(Enumerable.Range(1, PostgresSchema.Latest), first.Migrated);
            Assert.True(first.Created);
        }

        await using var second = await PostgresGrantStore.OpenAsync(database, key, None);
        Assert.Empty(second.Migrated);
        Assert.False(second.Created);
        Assert.Equal(PostgresSchema.Latest, await PostgresSql.ScalarAsync<int>(database, "SELECT max(version) FROM tokenbroker_schema"));
    }

    [Fact]
    public async Task Nodes_starting_at_once_on_an_empty_database_migrate_it_once()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        using var key = MasterKey.Generate("test key");

        var stores = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostgresGrantStore.OpenAsync(database, key, None)));

        Assert.Equal(PostgresSchema.Latest, stores.Sum(s => s.Migrated.Count));
        Assert.Equal(1, stores.Count(s => s.Created));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_schema_newer_than_this_build_is_refused_and_left_alone()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        using var key = MasterKey.Generate("test key");
        await (await PostgresGrantStore.OpenAsync(database, key, None)).DisposeAsync();
        await PostgresSql.ScalarAsync<int>(database, $"INSERT INTO tokenbroker_schema (version, description) VALUES ({PostgresSchema.Latest + 1}, 'from the future') RETURNING version");

        var error = await Assert.ThrowsAsync<SetupException>(() => PostgresGrantStore.OpenAsync(database, key, None));

        Assert.Contains($"schema version {PostgresSchema.Latest + 1}, newer than this TokenBroker knows ({PostgresSchema.Latest})", error.Message);
        Assert.Equal(PostgresSchema.Latest + 1, await PostgresSql.ScalarAsync<int>(database, "SELECT max(version) FROM tokenbroker_schema"));
    }

    [Fact]
    public async Task A_node_with_another_master_key_is_refused_and_changes_nothing()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        using var key = MasterKey.Generate("first node");
        using var other = MasterKey.Generate("second node");
        await using (var store = await PostgresGrantStore.OpenAsync(database, key, None))
        {
            await store.SaveAccountAsync(Samples.Account(), None);
        }

        var error = await Assert.ThrowsAsync<SetupException>(() => PostgresGrantStore.OpenAsync(database, other, None));

        Assert.Contains($"key id {other.KeyId}) does not open the PostgreSQL store, which was sealed with key id {key.KeyId}", error.Message);
        Assert.Equal(key.KeyId, await PostgresSql.ScalarAsync<string>(database, "SELECT key_id FROM tokenbroker_store"));
        Assert.Equal(1L, await PostgresSql.ScalarAsync<long>(database, "SELECT count(*) FROM tokenbroker_accounts"));
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable_and_a_malformed_connection_string_a_setup_error_neither_showing_the_password()
    {
        using var key = MasterKey.Generate("test key");
        var closed = FreePorts.Take(1)[0];

        var unreachable = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            PostgresGrantStore.OpenAsync($"Host=127.0.0.1;Port={closed};Username=postgres;Password=never-shown;Database=x;Timeout=2", key, None));
        var malformed = await Assert.ThrowsAsync<SetupException>(() => PostgresGrantStore.OpenAsync("Host=127.0.0.1;Password=a;b-part-of-it=c", key, None));

        Assert.StartsWith($"cannot reach the PostgreSQL store at 127.0.0.1:{closed}/x:", unreachable.Message);
        Assert.DoesNotContain("never-shown", unreachable.ToString());
        Assert.Contains("the PostgreSQL connection string is malformed", malformed.Message);
        Assert.DoesNotContain("part-of-it", malformed.ToString());
        var withoutHost = await Assert.ThrowsAsync<SetupException>(() => PostgresGrantStore.OpenAsync("Username=postgres;Password=never-shown-either", key, None));
        Assert.Contains("Host is required", withoutHost.Message);
        Assert.DoesNotContain("never-shown-either", withoutHost.ToString());
    }

    [Fact]
    public async Task Connections_carry_the_nodes_application_name_unless_the_operator_gave_one()
    {
        using var key = MasterKey.Generate("test key");
        var database = await fixture.Server.CreateDatabaseAsync();
        var ownName = new NpgsqlConnectionStringBuilder(database) { ApplicationName = "relay-ops" }.ConnectionString;

        await using var named = await PostgresGrantStore.OpenAsync(PostgresGrantStore.WithApplicationName(database, "tokenbrokerd relay1"), key, None);
        await using var kept = await PostgresGrantStore.OpenAsync(PostgresGrantStore.WithApplicationName(ownName, "tokenbrokerd relay2"), key, None);
        await named.ListAsync(None);
        await kept.ListAsync(None);

        var names = await PostgresSql.ScalarAsync<string[]>(database, "SELECT array_agg(DISTINCT application_name ORDER BY application_name) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
        Assert.Equal(["relay-ops", "tokenbrokerd relay1"], names);
        var malformed = Assert.Throws<SetupException>(() => PostgresGrantStore.WithApplicationName("Host=127.0.0.1;b-part-of-it=c", "tokenbrokerd relay1"));
        Assert.DoesNotContain("part-of-it", malformed.ToString());
    }

    [Fact]
    public async Task A_wrong_password_is_a_setup_error_naming_the_database()
    {
        using var key = MasterKey.Generate("test key");
        var database = new NpgsqlConnectionStringBuilder(await fixture.Server.CreateDatabaseAsync()) { Password = "wrong-password" };

        var error = await Assert.ThrowsAsync<SetupException>(() => PostgresGrantStore.OpenAsync(database.ConnectionString, key, None));

        Assert.StartsWith($"cannot open the PostgreSQL store at 127.0.0.1:{fixture.Server.Port}/{database.Database}: 28P01", error.Message);
        Assert.DoesNotContain("wrong-password", error.ToString());
    }

    [Fact]
    public async Task A_hold_on_one_node_keeps_another_node_waiting_until_it_commits()
    {
        var (first, second, _) = await TwoNodesAsync();
        await using var _first = first;
        await using var _second = second;
        var account = Samples.Account();
        await first.SaveAccountAsync(account, None);

        var held = (await first.HoldAsync(account.Name, None))!;
        var waiting = second.HoldAsync(account.Name, None);
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(waiting.IsCompleted);
        await held.CommitAsync(g => g with { State = GrantState.Active, LastRefresh = Samples.Now, RefreshedBy = "first" }, None);

        await using var next = (await waiting)!;
        Assert.Equal("first", next.Entry.Grant.RefreshedBy);
        Assert.Equal(Samples.Now, next.Entry.Grant.LastRefresh);
    }

    [Fact]
    public async Task A_commit_on_one_node_is_announced_to_the_other_and_not_to_itself()
    {
        var (first, second, _) = await TwoNodesAsync();
        await using var _first = first;
        await using var _second = second;
        var heardBySecond = new List<StoreChange>();
        var heardByFirst = new ConcurrentQueue<StoreChange>();
        var firstHeardSecond = new TaskCompletionSource();
        var grantHeard = new TaskCompletionSource();
        second.ChangedElsewhere += (_, change) =>
        {
            lock (heardBySecond)
            {
                heardBySecond.Add(change);
                if (!change.AccountsChanged)
                {
                    grantHeard.TrySetResult();
                }
            }
        };
        first.ChangedElsewhere += (_, change) =>
        {
            heardByFirst.Enqueue(change);
            firstHeardSecond.TrySetResult();
        };
        await ListenAsync(first, TimeSpan.FromMinutes(1));
        await ListenAsync(second, TimeSpan.FromMinutes(1));
        var account = Samples.Account();

        await first.SaveAccountAsync(account, None);
        await first.UpdateGrantAsync(account.Name, g => g with { LastError = "x" }, None);
        await grantHeard.Task.WaitAsync(Patience);

        // Notices reach a listener in commit order: once first hears second's change, its own two were handled.
        await second.UpdateGrantAsync(account.Name, g => g with { LastError = "y" }, None);
        await firstHeardSecond.Task.WaitAsync(Patience);

        lock (heardBySecond)
        {
            Assert.Equal([new StoreChange(account.Name, true), new StoreChange(account.Name, false)], heardBySecond);
        }

        Assert.Equal([new StoreChange(account.Name, false)], heardByFirst);
    }

    [Fact]
    public async Task A_change_whose_notice_was_lost_is_found_by_the_periodic_check()
    {
        var (first, second, database) = await TwoNodesAsync();
        await using var _first = first;
        await using var _second = second;
        var heard = new TaskCompletionSource<StoreChange>();
        second.ChangedElsewhere += (_, change) => heard.TrySetResult(change);
        await ListenAsync(second, TimeSpan.FromMilliseconds(200));

        // A writer that sends no notice, as a change made by hand would.
        await PostgresSql.ScalarAsync<long>(database, "SELECT nextval('tokenbroker_change')");

        Assert.Equal(new StoreChange(null, true), await heard.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task While_the_server_is_down_calls_fail_as_unavailable_and_work_again_once_it_is_back()
    {
        await using var server = await PostgresServer.StartAsync();
        var database = await server.CreateDatabaseAsync();
        using var key = MasterKey.Generate("test key");
        await using var store = await PostgresGrantStore.OpenAsync(database, key, None);
        var account = Samples.Account();
        await store.SaveAccountAsync(account, None);
        await ListenAsync(store, TimeSpan.FromSeconds(1));
        var feed = new List<string?>();
        var back = new TaskCompletionSource();
        store.FeedStateChanged += (_, problem) =>
        {
            lock (feed)
            {
                feed.Add(problem);
            }

            if (problem is null)
            {
                back.TrySetResult();
            }
        };

        await server.StopAsync();
        var find = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.FindAsync(account.Name, None));
        var hold = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.HoldAsync(account.Name, None));
        await server.StartAgainAsync();
        await back.Task.WaitAsync(Patience);

        Assert.StartsWith("the PostgreSQL store postgresql://postgres@127.0.0.1:", find.Message);
        Assert.IsAssignableFrom<IOException>(hold);
        Assert.Equal(account.Username, (await store.FindAsync(account.Name, None))!.Account.Username);
        lock (feed)
        {
            Assert.NotNull(feed[0]);
            Assert.Null(feed[^1]);
        }
    }

    [Fact]
    public async Task A_pending_consent_is_taken_once_across_nodes_and_its_result_reaches_the_node_that_began_it()
    {
        var (first, second, database) = await TwoNodesAsync();
        await using var _first = first;
        await using var _second = second;
        var resume = new ConsentResume(new Uri("http://127.0.0.1:41999/callback"), Secret.FromText("verifier-" + Guid.NewGuid()));
        await first.SaveConsentAsync(new SharedConsent("state-1", AccountName.Parse("work"), resume, Samples.Now.AddMinutes(5), "first"), None);

        var taken = await second.TakeConsentAsync("state-1", "second", None);
        var again = await first.TakeConsentAsync("state-1", "first", None);
        var before = await first.ConsentResultAsync("state-1", None);
        await second.FinishConsentAsync("state-1", new ConsentResult(200, "Consent stored", "stored", "second"), None);

        Assert.NotNull(taken);
        Assert.Equal(resume.Verifier.Reveal(), taken.Resume!.Verifier.Reveal());
        Assert.Equal(resume.RedirectUri, taken.Resume.RedirectUri);
        Assert.Equal(("work", "first"), (taken.Account.Value, taken.StartedBy));
        Assert.Null(again);
        Assert.Null(before);
        Assert.Equal(new ConsentResult(200, "Consent stored", "stored", "second"), await first.ConsentResultAsync("state-1", None));
        // Neither the state nor the verifier is kept in the clear; the verifier is gone once the consent ended.
        Assert.Equal(0L, await PostgresSql.ScalarAsync<long>(database, "SELECT count(*) FROM tokenbroker_consents WHERE pkce_verifier IS NOT NULL OR position('state-1'::bytea in state_hash) > 0"));
    }

    [Fact]
    public async Task A_tampered_consent_verifier_fails_authentication_instead_of_being_used()
    {
        var (first, second, database) = await TwoNodesAsync();
        await using var _first = first;
        await using var _second = second;
        var resume = new ConsentResume(new Uri("http://127.0.0.1:41999/callback"), Secret.FromText("verifier"));
        await first.SaveConsentAsync(new SharedConsent("state-2", AccountName.Parse("work"), resume, Samples.Now.AddMinutes(5), "first"), None);
        await PostgresSql.ScalarAsync<int>(database, "UPDATE tokenbroker_consents SET pkce_verifier = set_byte(pkce_verifier, 20, get_byte(pkce_verifier, 20) # 1) RETURNING 1");

        await Assert.ThrowsAsync<SecretUnsealException>(() => second.TakeConsentAsync("state-2", "second", None));
    }

    [Fact]
    public async Task Rekey_is_refused_with_the_way_to_do_it_and_changes_nothing()
    {
        var (store, other, database) = await TwoNodesAsync();
        await using var _store = store;
        await using var _other = other;

        var error = await Assert.ThrowsAsync<SetupException>(() => store.RekeyAsync(None));

        Assert.Contains("rekey is not available on the shared PostgreSQL store", error.Message);
        Assert.Equal(store.Key.KeyId, await PostgresSql.ScalarAsync<string>(database, "SELECT key_id FROM tokenbroker_store"));
    }

    private async Task<(PostgresGrantStore First, PostgresGrantStore Second, string Database)> TwoNodesAsync()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        var key = MasterKey.Generate("cluster key");
        return (await PostgresGrantStore.OpenAsync(database, key, None), await PostgresGrantStore.OpenAsync(database, key, None), database);
    }

    /// <summary>Starts the store's feed and waits until it listens, so that no notice is sent before it is heard.</summary>
    private static async Task ListenAsync(PostgresGrantStore store, TimeSpan checkInterval)
    {
        var listening = new TaskCompletionSource();
        store.FeedStateChanged += (_, problem) =>
        {
            if (problem is null)
            {
                listening.TrySetResult();
            }
        };
        store.StartFeed(checkInterval);
        await listening.Task.WaitAsync(Patience);
    }
}
