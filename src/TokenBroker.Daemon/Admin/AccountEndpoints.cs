using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.TokenFiles;

namespace TokenBroker.Daemon.Admin;

/// <summary>The admin API's account commands: add, list, show, remove, refresh, and the status of all.</summary>
internal static class AccountEndpoints
{
    /// <summary>How long <c>account remove</c> waits for the provider to revoke the grant.</summary>
    private static readonly TimeSpan RevokeWait = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder admin)
    {
        admin.MapGet("/accounts", async (AccountReports reports, CancellationToken cancellationToken) =>
            Results.Json(await reports.AllAsync(cancellationToken).ConfigureAwait(false), AdminJson.Default.StatusReport));
        admin.MapGet("/accounts/{name}", ShowAsync);
        admin.MapPost("/accounts/{name}", AddAsync);
        admin.MapDelete("/accounts/{name}", RemoveAsync);
        admin.MapPost("/accounts/{name}/refresh", RefreshAsync);
        return admin;
    }

    private static async Task<IResult> ShowAsync(string name, IGrantStore store, AccountReports reports, CancellationToken cancellationToken) =>
        await FindAsync(name, store, cancellationToken).ConfigureAwait(false) switch
        {
            (_, { } entry, _) => Results.Json(await reports.DetailsAsync(entry, cancellationToken).ConfigureAwait(false), AdminJson.Default.AccountDetails),
            (_, _, var error) => error!,
        };

    private static async Task<IResult> AddAsync(string name, AccountSpec spec, IGrantStore store, TokenFileWriter tokenFiles, AccountReports reports, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!AccountName.TryParse(name, out var accountName))
        {
            return AdminResults.BadName(name);
        }

        Account account;
        try
        {
            account = AccountSpecs.ToAccount(accountName, spec);
        }
        catch (InvalidAccountException ex)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, new AdminError("bad_request", $"account {accountName}: {ex.Message}"));
        }

        if (account.TokenFile is { } file && tokenFiles.CheckPlace(file.Path) is { } refused)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, new AdminError("bad_request", refused));
        }

        if ((await store.ListAsync(cancellationToken).ConfigureAwait(false)) is var listing
            && (listing.Accounts.Any(e => e.Account.Name == accountName) || listing.Unreadable.Any(u => u.Name == accountName)))
        {
            return AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("exists", $"an account named {accountName} exists; remove it first (tokenbroker account remove {accountName})"));
        }

        var entry = await store.SaveAccountAsync(account, cancellationToken).ConfigureAwait(false);
        AdminLog.Added(loggers.CreateLogger(typeof(AccountEndpoints)), accountName.Value, spec.Provider, account.Username);
        return Results.Json(await reports.DetailsAsync(entry, cancellationToken).ConfigureAwait(false), AdminJson.Default.AccountDetails, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RemoveAsync(string name, IGrantStore store, OAuthClients clients, RefreshCoordinator coordinator, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!AccountName.TryParse(name, out var accountName))
        {
            return AdminResults.BadName(name);
        }

        string message;
        var revoked = false;
        try
        {
            var entry = await store.FindAsync(accountName, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                return AdminResults.Unknown(accountName);
            }

            (revoked, message) = await RevokeAsync(entry, clients, cancellationToken).ConfigureAwait(false);
        }
        catch (AccountUnreadableException)
        {
            message = "its secrets cannot be read, so nothing was revoked at the provider; revoke the app's access in the account's security settings";
        }

        await store.RemoveAsync(accountName, cancellationToken).ConfigureAwait(false);
        await coordinator.ForgetAsync(accountName, cancellationToken).ConfigureAwait(false);
        AdminLog.Removed(loggers.CreateLogger(typeof(AccountEndpoints)), accountName.Value, message);
        return Results.Json(new AccountRemoved(accountName.Value, revoked, message), AdminJson.Default.AccountRemoved);
    }

    private static async Task<(bool Revoked, string Message)> RevokeAsync(AccountEntry entry, OAuthClients clients, CancellationToken cancellationToken)
    {
        if (entry.Grant.RefreshToken is null && entry.Grant.MsalCache is null)
        {
            return (false, "it held no grant, so there was nothing to revoke");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RevokeWait);
        try
        {
            var failure = await clients.For(entry.Account).RevokeAsync(entry.Account, entry.Grant, limit.Token).ConfigureAwait(false);
            return failure is null
                ? (true, "the provider revoked its grant")
                : (false, $"the provider did not revoke its grant ({failure}); revoke the app's access in the account's security settings");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"the provider did not answer within {RevokeWait.TotalSeconds:F0} s; revoke the app's access in the account's security settings");
        }
    }

    private static async Task<IResult> RefreshAsync(string name, IGrantStore store, RefreshCoordinator coordinator, AccountReports reports, CancellationToken cancellationToken)
    {
        var (accountName, entry, error) = await FindAsync(name, store, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return error!;
        }

        var outcome = await coordinator.RefreshAsync(accountName).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            return AdminResults.Error(StatusCodes.Status503ServiceUnavailable, new AdminError("unavailable", $"the refresh of {accountName} did not finish; the daemon's log says why", Transient: true));
        }

        return outcome.Failure switch
        {
            null => Results.Json(await reports.DetailsAsync(outcome.Entry, cancellationToken).ConfigureAwait(false), AdminJson.Default.AccountDetails),
            { Kind: OAuthFailureKind.Transient } failure => AdminResults.Error(StatusCodes.Status503ServiceUnavailable, new AdminError("provider", $"refresh of {accountName} failed for now ({failure}); the daemon keeps retrying", Transient: true)),
            var failure => AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("needs_consent", $"account {accountName} needs consent ({failure}); run: tokenbroker consent {accountName}")),
        };
    }

    /// <summary>The named account, or the error answer: a malformed name, no such account, unreadable secrets.</summary>
    private static async Task<(AccountName Name, AccountEntry? Entry, IResult? Error)> FindAsync(string name, IGrantStore store, CancellationToken cancellationToken)
    {
        if (!AccountName.TryParse(name, out var accountName))
        {
            return (default, null, AdminResults.BadName(name));
        }

        try
        {
            return await store.FindAsync(accountName, cancellationToken).ConfigureAwait(false) is { } entry
                ? (accountName, entry, null)
                : (accountName, null, AdminResults.Unknown(accountName));
        }
        catch (AccountUnreadableException ex)
        {
            return (accountName, null, AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("unreadable", ex.Message)));
        }
    }
}
