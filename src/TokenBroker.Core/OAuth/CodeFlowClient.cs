using Duende.IdentityModel.Client;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.OAuth;

/// <summary>
/// The <c>google</c> and <c>generic</c> profiles through Duende.IdentityModel: authorization code
/// with PKCE S256, refresh, device code where offered, and revocation. Client credentials, when the
/// account has a secret, go in the request body (accepted by Google and by OpenIddict-style servers).
/// </summary>
public sealed class CodeFlowClient(HttpClient http, EndpointResolver endpoints, TimeProvider time) : IOAuthClient
{
    /// <summary>Used when a token response has no <c>expires_in</c>.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <inheritdoc />
    public async Task<OAuthResult<IConsentSession>> BeginConsentAsync(Account account, Uri redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(redirectUri);
        if (AccountChecks.MissingClientId(account) is { } missing)
        {
            return missing;
        }

        var resolved = await endpoints.ResolveAsync(account.Provider, cancellationToken).ConfigureAwait(false);
        if (resolved.Value is not { } provider)
        {
            return resolved.Failure!;
        }

        var state = Pkce.NewState();
        var verifier = Pkce.NewVerifier();
        var extra = new Parameters();
        foreach (var (name, value) in ProviderPresets.AuthorizationParameters(account.Provider.Kind))
        {
            extra.Add(name, value);
        }

        if (account.Provider.Kind == ProviderKind.Google)
        {
            extra.Add("login_hint", account.Username);
        }

        var url = new RequestUrl(provider.Authorization.OriginalString).CreateAuthorizeUrl(
            clientId: ClientId(account),
            responseType: "code",
            scope: string.Join(' ', ProviderPresets.ScopesFor(account)),
            redirectUri: redirectUri.OriginalString,
            state: state,
            codeChallenge: Pkce.Challenge(verifier),
            codeChallengeMethod: Pkce.Method,
            extra: extra);
        return OAuthResult.Success<IConsentSession>(new CodeFlowConsent(this, account, provider, redirectUri, new Uri(url), state, verifier));
    }

    /// <summary>
    /// Takes up a consent another node began, from its <paramref name="state"/> and
    /// <paramref name="resume"/>, so that the browser's return to this node can finish it.
    /// </summary>
    public async Task<OAuthResult<IConsentSession>> ResumeConsentAsync(Account account, string state, ConsentResume resume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(resume);
        var resolved = await endpoints.ResolveAsync(account.Provider, cancellationToken).ConfigureAwait(false);
        return resolved.Value is { } provider
            ? OAuthResult.Success<IConsentSession>(new CodeFlowConsent(this, account, provider, resume.RedirectUri, provider.Authorization, state, resume.Verifier))
            : resolved.Failure!;
    }

    /// <inheritdoc />
    public async Task<OAuthResult<IDeviceConsent>> BeginDeviceConsentAsync(Account account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (AccountChecks.MissingClientId(account) is { } missing)
        {
            return missing;
        }

        var resolved = await endpoints.ResolveAsync(account.Provider, cancellationToken).ConfigureAwait(false);
        if (resolved.Value is not { } provider)
        {
            return resolved.Failure!;
        }

        if (provider.DeviceAuthorization is null)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "device_flow_unsupported",
                $"the provider of account {account.Name} offers no device authorization endpoint; use the browser or --paste");
        }

        using var request = Prepare(new DeviceAuthorizationRequest { Address = provider.DeviceAuthorization.OriginalString, Scope = string.Join(' ', ProviderPresets.ScopesFor(account)) }, account);
        var sent = await DuendeCalls.AwaitAsync(http.RequestDeviceAuthorizationAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (sent.Value is not { } response)
        {
            return sent.Failure!;
        }

        using var disposeResponse = response;
        cancellationToken.ThrowIfCancellationRequested();
        if (response.IsError || response.DeviceCode is null || response.UserCode is null || response.VerificationUri is null)
        {
            return ResponseClassifier.Classify(response, response.ErrorDescription, time);
        }

        var expiresAt = time.GetUtcNow().AddSeconds(response.ExpiresIn ?? 600);
        var interval = TimeSpan.FromSeconds(Math.Max(response.Interval, 1));
        return OAuthResult.Success<IDeviceConsent>(new DeviceCodeConsent(
            this, account, provider, Secret.FromText(response.DeviceCode), response.UserCode, new Uri(response.VerificationUri),
            response.VerificationUriComplete is { } complete ? new Uri(complete) : null, expiresAt, interval, time));
    }

    /// <inheritdoc />
    public async Task<OAuthResult<IssuedTokens>> RefreshAsync(Account account, Grant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(grant);
        if (grant.RefreshToken is null)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "no_refresh_token", $"account {account.Name} holds no refresh token; consent again");
        }

        if (AccountChecks.MissingClientId(account) is { } missing)
        {
            return missing;
        }

        var resolved = await endpoints.ResolveAsync(account.Provider, cancellationToken).ConfigureAwait(false);
        if (resolved.Value is not { } provider)
        {
            return resolved.Failure!;
        }

        using var request = Prepare(new RefreshTokenRequest { Address = provider.Token.OriginalString, RefreshToken = grant.RefreshToken.Reveal() }, account);
        return await RequestTokensAsync(http.RequestRefreshTokenAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<OAuthFailure?> RevokeAsync(Account account, Grant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(grant);
        if (AccountChecks.MissingClientId(account) is { } missing)
        {
            return missing;
        }

        var resolved = await endpoints.ResolveAsync(account.Provider, cancellationToken).ConfigureAwait(false);
        if (resolved.Value is not { } provider)
        {
            return resolved.Failure;
        }

        if (provider.Revocation is null || grant.RefreshToken is null)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "revocation_unsupported",
                provider.Revocation is null ? "the provider offers no revocation endpoint" : "there is no refresh token to revoke");
        }

        using var request = Prepare(new TokenRevocationRequest { Address = provider.Revocation.OriginalString, Token = grant.RefreshToken.Reveal(), TokenTypeHint = "refresh_token" }, account);
        var sent = await DuendeCalls.AwaitAsync(http.RevokeTokenAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (sent.Value is not { } response)
        {
            return sent.Failure;
        }

        using (response)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return response.IsError ? ResponseClassifier.Classify(response, response.Error, time) : null;
        }
    }

    internal async Task<OAuthResult<IssuedTokens>> RedeemCodeAsync(Account account, ProviderEndpoints provider, string code, Uri redirectUri, Secret verifier, CancellationToken cancellationToken)
    {
        using var request = Prepare(new AuthorizationCodeTokenRequest
        {
            Address = provider.Token.OriginalString,
            Code = code,
            RedirectUri = redirectUri.OriginalString,
            CodeVerifier = verifier.Reveal(),
        }, account);
        return await RequestTokensAsync(http.RequestAuthorizationCodeTokenAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    internal async Task<OAuthResult<IssuedTokens>> PollDeviceAsync(Account account, ProviderEndpoints provider, Secret deviceCode, CancellationToken cancellationToken)
    {
        using var request = Prepare(new DeviceTokenRequest { Address = provider.Token.OriginalString, DeviceCode = deviceCode.Reveal() }, account);
        return await RequestTokensAsync(http.RequestDeviceTokenAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<OAuthResult<IssuedTokens>> RequestTokensAsync(Task<TokenResponse> sending, CancellationToken cancellationToken)
    {
        var sent = await DuendeCalls.AwaitAsync(sending, cancellationToken).ConfigureAwait(false);
        if (sent.Value is not { } response)
        {
            return sent.Failure!;
        }

        using (response)
        {
            return ToTokens(response, cancellationToken);
        }
    }

    private OAuthResult<IssuedTokens> ToTokens(TokenResponse response, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            return ResponseClassifier.Classify(response, response.ErrorDescription, time);
        }

        var now = time.GetUtcNow();
        return OAuthResult.Success(new IssuedTokens
        {
            AccessToken = Secret.FromText(response.AccessToken),
            IssuedAt = now,
            ExpiresAt = now + (response.ExpiresIn > 0 ? TimeSpan.FromSeconds(response.ExpiresIn) : DefaultLifetime),
            RefreshToken = string.IsNullOrEmpty(response.RefreshToken) ? null : Secret.FromText(response.RefreshToken),
        });
    }

    private static T Prepare<T>(T request, Account account)
        where T : ProtocolRequest
    {
        request.ClientId = ClientId(account);
        request.ClientSecret = account.ClientSecret?.Reveal();
        request.ClientCredentialStyle = ClientCredentialStyle.PostBody;
        return request;
    }

    /// <summary>The client id; every public method checks it first with <see cref="AccountChecks.MissingClientId"/>.</summary>
    private static string ClientId(Account account) => account.ClientId!;
}
