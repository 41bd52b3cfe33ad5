using Microsoft.AspNetCore.Http.Features;
using TokenBroker.Core;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Backup;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;

namespace TokenBroker.Daemon.Admin;

/// <summary>
/// <c>backup</c> and <c>restore</c>: every account and grant as one message sealed under the master
/// key, and back into the running daemon in one atomic step, re-planned at once; and <c>rekey</c>,
/// which replaces the master key.
/// </summary>
internal static class BackupEndpoints
{
    /// <summary>The header that carries another master key's file content (base64) for a backup sealed under it.</summary>
    public const string KeyHeader = "X-TokenBroker-Backup-Key";

    /// <summary>The header that names accounts left out of a backup because their secrets cannot be read.</summary>
    public const string SkippedHeader = "X-TokenBroker-Skipped";

    private const long MaxBackupBytes = 512L * 1024 * 1024;

    public static RouteGroupBuilder MapBackup(this RouteGroupBuilder admin)
    {
        admin.MapGet("/backup", BackupAsync);
        admin.MapPost("/restore", RestoreAsync);
        admin.MapPost("/rekey", RekeyAsync);
        return admin;
    }

    private static async Task<IResult> RekeyAsync(ISealedStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(BackupEndpoints));
        try
        {
            var change = await store.RekeyAsync(cancellationToken).ConfigureAwait(false);
            AdminLog.Rekeyed(logger, change.OldKeyId, change.NewKeyId, change.KeyFile, change.Accounts);
            return Results.Json(change, AdminJson.Default.KeyChange);
        }
        catch (SetupException ex)
        {
            AdminLog.RekeyRefused(logger, ex.Message);
            return AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("rekey", ex.Message));
        }
    }

    private static async Task<IResult> BackupAsync(HttpContext context, IGrantStore store, ISealedStore sealedStore, CancellationToken cancellationToken)
    {
        var key = sealedStore.Key;
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<AccountEntry>(listing.Accounts.Count);
        var skipped = listing.Unreadable.Select(u => u.Name.Value).ToList();
        foreach (var listed in listing.Accounts)
        {
            try
            {
                if (await store.FindAsync(listed.Account.Name, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (AccountUnreadableException)
            {
                skipped.Add(listed.Account.Name.Value);
            }
        }

        if (skipped.Count > 0)
        {
            context.Response.Headers[SkippedHeader] = string.Join(' ', skipped);
        }

        return Results.Bytes(BackupFile.Seal(entries, key), "application/octet-stream");
    }

    private static MasterKey GivenKey(string base64)
    {
        var content = Convert.FromBase64String(base64);
        try
        {
            return MasterKeyFile.FromContent(content, "the key given to restore");
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(content);
        }
    }

    private static async Task<IResult> RestoreAsync(
        HttpContext context, IGrantStore store, ISealedStore sealedStore, RefreshCoordinator coordinator, AccountReports reports, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = MaxBackupBytes;
        var key = sealedStore.Key;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<(Core.Accounts.Account Account, Core.Grants.Grant Grant)> entries;
        try
        {
            using var sealedWith = context.Request.Headers[KeyHeader] is [{ } other] ? GivenKey(other) : null;
            entries = BackupFile.Open(body.GetBuffer().AsSpan(0, (int)body.Length), sealedWith ?? key);
        }
        catch (Exception ex) when (ex is InvalidDataException or SetupException or FormatException)
        {
            var otherKey = BackupFile.KeyId(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } id && id != key.KeyId && !context.Request.Headers.ContainsKey(KeyHeader);
            return AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("backup", otherKey
                ? $"{ex.Message}; give the key it was sealed with: tokenbroker restore FILE --key-file KEY; nothing was changed"
                : $"{ex.Message}; nothing was changed"));
        }

        var before = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Accounts.Select(e => e.Account.Name).ToList();
        await store.ReplaceAllAsync(entries, cancellationToken).ConfigureAwait(false);
        foreach (var gone in before.Except(entries.Select(e => e.Account.Name)))
        {
            await coordinator.ForgetAsync(gone, cancellationToken).ConfigureAwait(false);
        }

        await coordinator.PlanAllAsync((await store.ListAsync(cancellationToken).ConfigureAwait(false)).Accounts, cancellationToken).ConfigureAwait(false);
        AdminLog.Restored(loggers.CreateLogger(typeof(BackupEndpoints)), entries.Count);
        return Results.Json(await reports.AllAsync(cancellationToken).ConfigureAwait(false), AdminJson.Default.StatusReport);
    }
}
