using TokenBroker.Core.Storage;

namespace TokenBroker.TestUtils;

/// <summary>Everything a store holds, secrets revealed, as one line per account: two stores hold the same data when these are equal.</summary>
public static class StoreContents
{
    public static async Task<IReadOnlyList<string>> ReadAsync(IGrantStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var lines = new List<string>();
        var listing = await store.ListAsync(CancellationToken.None);
        Assert.Empty(listing.Unreadable);
        foreach (var listed in listing.Accounts)
        {
            var (a, g, revision) = (await store.FindAsync(listed.Account.Name, CancellationToken.None))!;
            lines.Add(string.Join('|',
                a.Name, a.Provider, a.Username, string.Join(',', a.MatchKeys), string.Join(',', a.Scopes), a.ClientId, a.ClientSecret?.Reveal(), a.TokenFile,
                g.State, g.RefreshToken?.Reveal(), g.MsalCache?.Reveal(), g.AccessToken?.Reveal(), g.IssuedAt?.ToString("O"), g.ExpiresAt?.ToString("O"),
                g.LastRefresh?.ToString("O"), g.LastError, revision));
        }

        return lines;
    }
}
