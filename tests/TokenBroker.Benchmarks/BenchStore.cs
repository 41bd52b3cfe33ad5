using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Storage;

namespace TokenBroker.Benchmarks;

/// <summary>A store filled before the daemon starts on it, as the benchmarks need it.</summary>
internal static class BenchStore
{
    /// <summary>A provider whose endpoints nothing calls (every token is fresh for hours).</summary>
    public static ProviderProfile Offline { get; } = new()
    {
        Kind = ProviderKind.Generic,
        AuthorizationEndpoint = new Uri("http://127.0.0.1:9/authorize"),
        TokenEndpoint = new Uri("http://127.0.0.1:9/token"),
    };

    /// <summary>A grant with a Google-sized token valid for ten hours: no refresh during a run.</summary>
    public static Grant Fresh()
    {
        var now = TimeProvider.System.GetUtcNow();
        return new Grant
        {
            State = GrantState.Active,
            RefreshToken = Secret.FromText("bench-refresh-token"),
            AccessToken = Secret.FromText("ya29." + new string('x', 2000)),
            IssuedAt = now,
            LastRefresh = now,
            ExpiresAt = now.AddHours(10),
        };
    }

    /// <summary>Creates the state directory, key and store, and saves every account with <paramref name="grant"/>.</summary>
    public static async Task SeedAsync(StateLayout layout, IEnumerable<Account> accounts, Grant grant)
    {
        PrivateFiles.EnsureDirectory(layout.Directory);
        using var key = MasterKeySource.Resolve(null, null, layout).LoadOrCreate(out _);
        using var store = LiteDbGrantStore.Open(layout, key);
        foreach (var account in accounts)
        {
            await store.SaveAccountAsync(account, CancellationToken.None);
            await store.UpdateGrantAsync(account.Name, _ => grant, CancellationToken.None);
        }
    }
}
