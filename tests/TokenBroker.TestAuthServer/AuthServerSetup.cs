using System.Text.RegularExpressions;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenBroker.TestAuthServer;

/// <summary>OpenIddict server settings and the few event handlers a test server needs.</summary>
internal static partial class AuthServerSetup
{
    public static void Configure(OpenIddictServerBuilder server, AuthServerOptions options)
    {
        // Endpoint paths have no leading '/': on Linux "/connect/token" would parse as a file URI.
        server.SetAuthorizationEndpointUris("connect/authorize")
            .SetTokenEndpointUris("connect/token")
            .SetDeviceAuthorizationEndpointUris("connect/device")
            .SetEndUserVerificationEndpointUris("connect/verify")
            .SetIntrospectionEndpointUris("connect/introspect")
            .SetRevocationEndpointUris("connect/revoke");
        server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowDeviceAuthorizationFlow();
        server.RequireProofKeyForCodeExchange();
        server.Configure(settings => settings.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
        server.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
        server.SetAccessTokenLifetime(options.AccessTokenLifetime);
        server.SetRefreshTokenReuseLeeway(options.RefreshTokenReuseLeeway);
        if (!options.RotateRefreshTokens)
        {
            server.DisableRollingRefreshTokens();
        }

        server.DisableScopeValidation().IgnoreScopePermissions();
        var aspNetCore = server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableEndUserVerificationEndpointPassthrough();
        if (!options.Https)
        {
            aspNetCore.DisableTransportSecurityRequirement();
        }

        server.AddEventHandler<OpenIddictServerEvents.ProcessRequestContext>(handler => handler
            .UseInlineHandler(MapEntraPaths)
            .SetOrder(OpenIddictServerHandlers.InferEndpointType.Descriptor.Order + 1));
        server.AddEventHandler<OpenIddictServerEvents.ExtractTokenRequestContext>(handler => handler
            .UseInlineHandler(AcceptEntraDeviceGrant)
            .SetOrder(int.MaxValue - 100_000));
        server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler
            .UseInlineHandler(StripRedemptionScope)
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopeParameter.Descriptor.Order - 1));
        server.AddEventHandler<OpenIddictServerEvents.HandleIntrospectionRequestContext>(handler => handler
            .UseInlineHandler(AddUsername)
            .SetOrder(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor.Order + 1));
        server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler => handler.UseInlineHandler(context =>
        {
            var issued = context.Transaction.GetHttpRequest()!.HttpContext.RequestServices.GetRequiredService<IssuedValues>();
            issued.Add(context.Response.AccessToken);
            issued.Add(context.Response.RefreshToken);
            issued.Add(context.Response.IdToken);
            return default;
        }));
        server.AddEventHandler<OpenIddictServerEvents.ApplyAuthorizationResponseContext>(handler => handler.UseInlineHandler(context =>
        {
            context.Transaction.GetHttpRequest()!.HttpContext.RequestServices.GetRequiredService<IssuedValues>().Add(context.Response.Code);
            return default;
        }));
        server.AddEventHandler<OpenIddictServerEvents.ApplyDeviceAuthorizationResponseContext>(handler => handler.UseInlineHandler(context =>
        {
            context.Transaction.GetHttpRequest()!.HttpContext.RequestServices.GetRequiredService<IssuedValues>().Add(context.Response.DeviceCode);
            context.Response["interval"] = 1;
            return default;
        }));
    }

    public static bool IsTokenPath(PathString path) =>
        path.Equals("/connect/token", StringComparison.OrdinalIgnoreCase)
        || (EntraPath().Match(path.Value ?? string.Empty) is { Success: true } match && match.Groups[1].Value.Equals("token", StringComparison.OrdinalIgnoreCase));

    public static OpenIddictApplicationDescriptor Client(string clientId, string? secret)
    {
        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = secret is null ? ClientTypes.Public : ClientTypes.Confidential,
            // Native clients registered with a port-less loopback redirect may use any port.
            ApplicationType = ApplicationTypes.Native,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.DeviceAuthorization,
                Permissions.Endpoints.Revocation, Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.GrantTypes.DeviceCode, Permissions.ResponseTypes.Code,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        client.RedirectUris.Add(new Uri("http://127.0.0.1/callback"));
        client.RedirectUris.Add(new Uri("http://[::1]/callback"));
        client.RedirectUris.Add(new Uri("http://localhost/callback"));
        return client;
    }

    public static OpenIddictApplicationDescriptor IntrospectionClient(string clientId, string secret) => new()
    {
        ClientId = clientId,
        ClientSecret = secret,
        ClientType = ClientTypes.Confidential,
        Permissions = { Permissions.Endpoints.Introspection },
    };

    private static ValueTask MapEntraPaths(OpenIddictServerEvents.ProcessRequestContext context)
    {
        if (context.EndpointType is OpenIddictServerEndpointType.Unknown
            && context.RequestUri is { } uri
            && EntraPath().Match(uri.AbsolutePath) is { Success: true } match)
        {
            context.EndpointType = match.Groups[1].Value.ToLowerInvariant() switch
            {
                "authorize" => OpenIddictServerEndpointType.Authorization,
                "token" => OpenIddictServerEndpointType.Token,
                "devicecode" => OpenIddictServerEndpointType.DeviceAuthorization,
                _ => OpenIddictServerEndpointType.Unknown,
            };
        }

        return default;
    }

    /// <summary>MSAL polls with Entra's short <c>grant_type=device_code</c> rather than the RFC 8628 URN.</summary>
    private static ValueTask AcceptEntraDeviceGrant(OpenIddictServerEvents.ExtractTokenRequestContext context)
    {
        if (context.Request?.GrantType == "device_code")
        {
            context.Request.GrantType = GrantTypes.DeviceCode;
        }

        return default;
    }

    /// <summary>MSAL sends <c>scope</c> when redeeming a code or device code; OpenIddict refuses it there.</summary>
    private static ValueTask StripRedemptionScope(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        if (context.Request.IsAuthorizationCodeGrantType() || context.Request.IsDeviceCodeGrantType())
        {
            context.Request.Scope = null;
        }

        return default;
    }

    /// <summary>Dovecot's oauth2 passdb reads the user from <c>username</c>; OpenIddict fills it only for some callers.</summary>
    private static ValueTask AddUsername(OpenIddictServerEvents.HandleIntrospectionRequestContext context)
    {
        var principal = context.GenericTokenPrincipal;
        context.Username = principal?.GetClaim(Claims.PreferredUsername) ?? principal?.GetClaim(Claims.Subject);
        return default;
    }

    [GeneratedRegex(@"^/[^/]+/oauth2/v2\.0/(authorize|token|devicecode)$", RegexOptions.IgnoreCase)]
    private static partial Regex EntraPath();
}
