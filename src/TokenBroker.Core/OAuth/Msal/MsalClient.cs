using System.Web;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>
/// The <c>microsoft</c> profile through MSAL: authorization code with PKCE via a loopback redirect,
/// device code, and silent refresh. MSAL keeps the refresh token in its cache; the cache is
/// serialized after every change and returned with the tokens so the caller stores it sealed.
/// </summary>
public sealed class MsalClient(HttpClient http, TimeProvider time) : IOAuthClient
{
    /// <summary>How long MSAL waits for a browser or device approval before giving up.</summary>
    public static readonly TimeSpan InteractionTimeout = TimeSpan.FromMinutes(15);

    private static readonly HashSet<string> AddedByMsal = new(StringComparer.Ordinal) { "openid", "profile", "offline_access" };
    private readonly SharedHttpClientFactory _httpFactory = new(http);

    /// <inheritdoc />
    public async Task<OAuthResult<IConsentSession>> BeginConsentAsync(Account account, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(redirectUri);
        if (Unsupported(account) is { } failure)
        {
            return failure;
        }

        var cache = new CacheSlot(null);
        var app = Build(account, redirectUri, cache);
        var ui = new CallbackWebUi();
        var login = Interact(token => app.AcquireTokenInteractive(Scopes(account))
            .WithCustomWebUi(ui)
            .WithLoginHint(account.Username)
            .WithPrompt(Prompt.SelectAccount)
            .ExecuteAsync(token));
        if (await Task.WhenAny(ui.AuthorizationUri, login).WaitAsync(cancellationToken).ConfigureAwait(false) == login)
        {
            return (await FinishAsync(login, cache, cancellationToken).ConfigureAwait(false)).Failure!;
        }

        var authorizationUri = await ui.AuthorizationUri.ConfigureAwait(false);
        var state = HttpUtility.ParseQueryString(authorizationUri.Query)["state"] ?? string.Empty;
        return OAuthResult.Success<IConsentSession>(new MsalConsent(this, ui, login, cache, authorizationUri, state));
    }

    /// <inheritdoc />
    public async Task<OAuthResult<IDeviceConsent>> BeginDeviceConsentAsync(Account account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (Unsupported(account) is { } failure)
        {
            return failure;
        }

        var cache = new CacheSlot(null);
        var app = Build(account, null, cache);
        var code = new TaskCompletionSource<DeviceCodeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var login = Interact(token => app.AcquireTokenWithDeviceCode(Scopes(account), result =>
        {
            code.TrySetResult(result);
            return Task.CompletedTask;
        }).ExecuteAsync(token));
        if (await Task.WhenAny(code.Task, login).WaitAsync(cancellationToken).ConfigureAwait(false) == login)
        {
            return (await FinishAsync(login, cache, cancellationToken).ConfigureAwait(false)).Failure!;
        }

        var device = await code.Task.ConfigureAwait(false);
        return OAuthResult.Success<IDeviceConsent>(new MsalDeviceConsent(this, device, login, cache));
    }

    /// <inheritdoc />
    public async Task<OAuthResult<IssuedTokens>> RefreshAsync(Account account, Grant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(grant);
        if (grant.MsalCache is null)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "no_refresh_token", $"account {account.Name} holds no MSAL token cache; consent again");
        }

        if (Unsupported(account) is { } failure)
        {
            return failure;
        }

        var cache = new CacheSlot(grant.MsalCache);
        var app = Build(account, null, cache);
        var accounts = await app.GetAccountsAsync().ConfigureAwait(false);
        if (accounts.FirstOrDefault() is not { } signedIn)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "no_account", $"the MSAL token cache of account {account.Name} holds no signed-in account; consent again");
        }

        return await FinishAsync(
            app.AcquireTokenSilent(Scopes(account), signedIn).WithForceRefresh(true).ExecuteAsync(cancellationToken),
            cache,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<OAuthFailure?> RevokeAsync(Account account, Grant grant, CancellationToken cancellationToken) =>
        Task.FromResult<OAuthFailure?>(new OAuthFailure(OAuthFailureKind.Permanent, "revocation_unsupported",
            "Microsoft offers no token revocation endpoint; remove the app's permissions in the account's security settings"));

    internal async Task<OAuthResult<IssuedTokens>> FinishAsync(Task<AuthenticationResult> operation, CacheSlot cache, CancellationToken cancellationToken)
    {
        try
        {
            var result = await operation.WaitAsync(cancellationToken).ConfigureAwait(false);
            return OAuthResult.Success(new IssuedTokens
            {
                AccessToken = Secrets.Secret.FromText(result.AccessToken),
                IssuedAt = time.GetUtcNow(),
                ExpiresAt = result.ExpiresOn,
                MsalCache = cache.Changed,
            });
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && MsalFailures.Classify(ex, time) is { } failure)
        {
            return failure;
        }
    }

    /// <summary>Runs an MSAL interaction in the background, abandoned after <see cref="InteractionTimeout"/>.</summary>
    private Task<AuthenticationResult> Interact(Func<CancellationToken, Task<AuthenticationResult>> start) => Task.Run(async () =>
    {
        using var lifetime = new CancellationTokenSource(InteractionTimeout, time);
        return await start(lifetime.Token).ConfigureAwait(false);
    });

    private IPublicClientApplication Build(Account account, Uri? redirectUri, CacheSlot cache)
    {
        var authority = account.Provider.Issuer ?? ProviderPresets.MicrosoftAuthority(account.Provider.Tenant);
        var standard = authority.Host.Equals(ProviderPresets.MicrosoftAuthority(null).Host, StringComparison.OrdinalIgnoreCase);
        var builder = PublicClientApplicationBuilder.Create(account.ClientId!)
            .WithAuthority(authority.AbsoluteUri, validateAuthority: standard)
            .WithInstanceDiscovery(standard)
            .WithHttpClientFactory(_httpFactory, retryOnceOn5xx: false);
        if (redirectUri is not null)
        {
            builder = builder.WithRedirectUri(redirectUri.AbsoluteUri);
        }

        var app = builder.Build();
        cache.Attach(app.UserTokenCache);
        return app;
    }

    private static OAuthFailure? Unsupported(Account account) => account.ClientSecret is null
        ? AccountChecks.MissingClientId(account)
        : new OAuthFailure(OAuthFailureKind.Permanent, "confidential_client_unsupported",
            $"account {account.Name}: the microsoft profile uses a public client; register the app as a public client and remove its client secret");

    /// <summary>The account's scopes without those MSAL adds to every request itself.</summary>
    private static string[] Scopes(Account account) =>
        [.. ProviderPresets.ScopesFor(account).Where(scope => !AddedByMsal.Contains(scope))];

}
