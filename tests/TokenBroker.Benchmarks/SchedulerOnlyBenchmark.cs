using System.Collections.Concurrent;
using System.Diagnostics;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The scheduler alone: the daemon's Quartz jobs, coordinator and refresher, in this process, with a
/// provider that answers at once without HTTP and a store in memory, so what is measured is what
/// scheduling a refresh costs, apart from the network and the disk.
/// </summary>
internal static class SchedulerOnlyBenchmark
{
    public static async Task<(TimeSpan All, TimeSpan Warm)> RunAsync(int accounts)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var store = new MemoryStore();
        var client = new InstantClient();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IGrantStore>(store);
        builder.Services.AddSingleton(new OAuthClients(new Dictionary<ProviderKind, IOAuthClient> { [ProviderKind.Generic] = client }));
        builder.Services.AddSingleton<GrantRefresher>();
        builder.Services.AddRefreshScheduler(builder.Configuration, new Daemon.StorageOptions(), sharedStore: null);
        using var host = builder.Build();
        await host.StartAsync();
        var past = TimeProvider.System.GetUtcNow().AddHours(-2);
        var entries = new List<AccountEntry>();
        for (var i = 0; i < accounts; i++)
        {
            var account = new Account { Name = AccountName.Parse($"bench{i:D5}"), Provider = new ProviderProfile { Kind = ProviderKind.Generic }, Username = "user@example.test" };
            await store.SaveAccountAsync(account, CancellationToken.None);
            entries.Add((await store.UpdateGrantAsync(account.Name, _ => Expired(past), CancellationToken.None))!);
        }

        var process = Process.GetCurrentProcess();
        var start = process.TotalProcessorTime;
        await host.Services.GetRequiredService<RefreshCoordinator>().PlanAllAsync(entries, CancellationToken.None);
        TimeSpan? half = null;
        while (store.Refreshed < accounts)
        {
            if (half is null && store.Refreshed >= accounts / 2)
            {
                process.Refresh();
                half = process.TotalProcessorTime;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        process.Refresh();
        var end = process.TotalProcessorTime;
        await host.StopAsync();
        return ((end - start) / accounts, (end - (half ?? start)) / (accounts - (accounts / 2)));
    }

    private static Grant Expired(DateTimeOffset issuedAt) => new()
    {
        State = GrantState.Active,
        RefreshToken = Secret.FromText("refresh"),
        AccessToken = Secret.FromText("expired"),
        IssuedAt = issuedAt,
        LastRefresh = issuedAt,
        ExpiresAt = issuedAt.AddHours(1),
    };

    private sealed class InstantClient : IOAuthClient
    {
        private static readonly Secret Token = Secret.FromText(new string('t', 1200));

        public Task<OAuthResult<IssuedTokens>> RefreshAsync(Account account, Grant grant, CancellationToken cancellationToken)
        {
            var now = TimeProvider.System.GetUtcNow();
            return Task.FromResult(OAuthResult.Success(new IssuedTokens { AccessToken = Token, IssuedAt = now, ExpiresAt = now.AddHours(1) }));
        }

        public Task<OAuthResult<IConsentSession>> BeginConsentAsync(Account account, Uri redirectUri, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<OAuthResult<IDeviceConsent>> BeginDeviceConsentAsync(Account account, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<OAuthFailure?> RevokeAsync(Account account, Grant grant, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>Accounts in a dictionary; counts the grants that a refresh made fresh.</summary>
    private sealed class MemoryStore : IGrantStore
    {
        private readonly ConcurrentDictionary<AccountName, AccountEntry> _entries = new();
        private readonly LocalGrantHolds _holds;
        private int _refreshed;

        public MemoryStore() => _holds = new LocalGrantHolds(this);

        public int Refreshed => Volatile.Read(ref _refreshed);

        public Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken) => _holds.HoldAsync(name, cancellationToken);

        public Task<StoreListing> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new StoreListing([.. _entries.Values.OrderBy(e => e.Account.Name.Value, StringComparer.Ordinal)], []));

        public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) =>
            Task.FromResult(_entries.GetValueOrDefault(name));

        public Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken) =>
            Task.FromResult(_entries.AddOrUpdate(account.Name, _ => new AccountEntry(account, Grant.None, 1), (_, e) => e with { Account = account, Revision = e.Revision + 1 }));

        public Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken)
        {
            lock (_entries)
            {
                if (!_entries.TryGetValue(name, out var entry))
                {
                    return Task.FromResult<AccountEntry?>(null);
                }

                var updated = entry with { Grant = change(entry.Grant), Revision = entry.Revision + 1 };
                _entries[name] = updated;
                if (updated.Grant.LastRefresh > entry.Grant.LastRefresh && entry.Revision > 1)
                {
                    Interlocked.Increment(ref _refreshed);
                }

                return Task.FromResult<AccountEntry?>(updated);
            }
        }

        public Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken)
        {
            lock (_entries)
            {
                _entries.Clear();
                foreach (var (account, grant) in entries)
                {
                    _entries[account.Name] = new AccountEntry(account, grant, 1);
                }
            }

            return Task.CompletedTask;
        }

        public Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken) => Task.FromResult(_entries.TryRemove(name, out _));
    }
}
