using System.Collections.Concurrent;
using Duende.IdentityModel.Client;
using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.OAuth;

/// <summary>
/// Finds an account's endpoints: explicit endpoints first, then the Google preset, then OpenID
/// Connect discovery from the issuer (cached for an hour).
/// </summary>
public sealed class EndpointResolver(HttpClient http, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<Uri, (ProviderEndpoints Endpoints, DateTimeOffset Until)> _discovered = new();

    /// <summary>Resolves the endpoints of <paramref name="provider"/>.</summary>
    public async Task<OAuthResult<ProviderEndpoints>> ResolveAsync(ProviderProfile provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var authorization = provider.AuthorizationEndpoint ?? (provider.Kind == ProviderKind.Google ? ProviderPresets.GoogleAuthorization : null);
        var token = provider.TokenEndpoint ?? (provider.Kind == ProviderKind.Google ? ProviderPresets.GoogleToken : null);
        var revocation = provider.RevocationEndpoint ?? (provider.Kind == ProviderKind.Google ? ProviderPresets.GoogleRevocation : null);
        if (authorization is not null && token is not null)
        {
            return OAuthResult.Success(new ProviderEndpoints(authorization, token, provider.DeviceAuthorizationEndpoint, revocation));
        }

        if (provider.Issuer is null)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "no_endpoints", "the account names neither an issuer nor authorization and token endpoints");
        }

        if (_discovered.TryGetValue(provider.Issuer, out var cached) && cached.Until > time.GetUtcNow())
        {
            return OAuthResult.Success(cached.Endpoints);
        }

        using var request = new DiscoveryDocumentRequest { Address = provider.Issuer.OriginalString };
        var sent = await DuendeCalls.AwaitAsync(http.GetDiscoveryDocumentAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (sent.Value is not { } document)
        {
            return sent.Failure!;
        }

        using var disposeDocument = document;
        cancellationToken.ThrowIfCancellationRequested();
        if (document.IsError)
        {
            return ResponseClassifier.Classify(document, $"discovery at {provider.Issuer} failed: {document.Error}", time);
        }

        if (document.AuthorizeEndpoint is null || document.TokenEndpoint is null)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "no_endpoints", $"discovery at {provider.Issuer} names no authorization or token endpoint");
        }

        var endpoints = new ProviderEndpoints(
            authorization ?? new Uri(document.AuthorizeEndpoint),
            token ?? new Uri(document.TokenEndpoint),
            provider.DeviceAuthorizationEndpoint ?? Optional(document.DeviceAuthorizationEndpoint),
            revocation ?? Optional(document.RevocationEndpoint));
        _discovered[provider.Issuer] = (endpoints, time.GetUtcNow() + CacheFor);
        return OAuthResult.Success(endpoints);
    }

    private static Uri? Optional(string? uri) => uri is null ? null : new Uri(uri);
}
