using System.Collections.Concurrent;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.TokenFiles;

/// <summary>
/// Keeps every account's token file (if it has one) holding its current token: at start, and after
/// every grant the store commits with a new token. A grant without a valid token (needs consent,
/// expired) leaves the file as it was: a reader keeps the last token, and <c>status</c> shows why
/// no new one comes.
/// </summary>
internal sealed class TokenFileService : IHostedService
{
    private readonly ConcurrentDictionary<AccountName, (Secret Token, long Revision)> _written = new();
    private readonly Lock _gate = new();
    private readonly WatchedGrantStore _store;
    private readonly TokenFileWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenFileService> _logger;

    public TokenFileService(WatchedGrantStore store, TokenFileWriter writer, TimeProvider time, ILogger<TokenFileService> logger)
    {
        (_store, _writer, _time, _logger) = (store, writer, time, logger);
        store.GrantCommitted += (_, entry) => Write(entry);
        // A restore starts revisions again at 1: what was written before says nothing about order any more.
        store.AccountsChanged += (_, _) => _written.Clear();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var account in listing.Accounts.Select(e => e.Account).Where(a => a.TokenFile is not null))
        {
            try
            {
                if (await _store.FindAsync(account.Name, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    Write(entry);
                }
            }
            catch (AccountUnreadableException)
            {
                // Logged by the start-up report; its file is left as it was.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Writes the entry's token unless it is the one written last, or an older revision than it (news of
    /// other nodes' commits may arrive out of order).
    /// </summary>
    private void Write(AccountEntry entry)
    {
        lock (_gate)
        {
            WriteInOrder(entry);
        }
    }

    private void WriteInOrder(AccountEntry entry)
    {
        var (account, grant) = (entry.Account, entry.Grant);
        if (account.TokenFile is not { } settings || grant.AccessToken is not { } token || grant.ExpiresAt <= _time.GetUtcNow()
            || (_written.TryGetValue(account.Name, out var last) && (last.Token.Equals(token) || last.Revision > entry.Revision)))
        {
            return;
        }

        string? problem;
        try
        {
            problem = _writer.Write(settings, token);
        }
        catch (Exception ex)
        {
            // Called right after a grant was committed: a token file must never make that commit look failed.
            problem = $"token file {settings.Path}: {ex.Message}";
        }

        if (problem is not null)
        {
            TokenFileLog.Refused(_logger, account.Name.Value, problem);
            return;
        }

        _written[account.Name] = (token, entry.Revision);
        TokenFileLog.Written(_logger, account.Name.Value, settings.Path);
    }
}
