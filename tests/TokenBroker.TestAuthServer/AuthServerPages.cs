using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenBroker.TestAuthServer;

/// <summary>The pages a person (or headless Chromium) sees: login/approve, and device-code verification.</summary>
internal static class AuthServerPages
{
    public static void Map(WebApplication app, AuthServerOptions options)
    {
        Delegate authorize = (HttpContext context) => AuthorizeAsync(context, options);
        app.MapMethods("connect/authorize", ["GET", "POST"], authorize);
        app.MapMethods("{tenant}/oauth2/v2.0/authorize", ["GET", "POST"], authorize);
        app.MapMethods("connect/verify", ["GET", "POST"], (Delegate)VerifyAsync);
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, AuthServerOptions options)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an authorization request");
        var approved = options.AutoApprove
            || (context.Request.HasFormContentType && (await context.Request.ReadFormAsync())["approve"] == "yes");
        if (!approved)
        {
            var hidden = string.Concat(request.GetParameters().Select(parameter =>
                $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(parameter.Key)}\" value=\"{WebUtility.HtmlEncode((string?)parameter.Value)}\">"));
            return Results.Content(
                "<!doctype html><html><head><title>Test IdP: sign in</title></head><body>"
                + $"<h1>Sign in as {WebUtility.HtmlEncode(AuthServer.User)}</h1><form method=\"post\">{hidden}"
                + "<button id=\"approve\" name=\"approve\" value=\"yes\">Approve</button></form></body></html>",
                "text/html");
        }

        return Results.SignIn(Principal(request.GetScopes()), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>GET shows a form; POST with <c>user_code</c> approves that device code.</summary>
    private static async Task<IResult> VerifyAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not a verification request");
        if (string.IsNullOrEmpty(request.UserCode) || !HttpMethods.IsPost(context.Request.Method))
        {
            return Results.Content(
                "<!doctype html><html><body><form method=\"post\"><input name=\"user_code\"><button>Approve</button></form></body></html>",
                "text/html");
        }

        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result is not { Succeeded: true, Principal.Identity.IsAuthenticated: true })
        {
            return Results.BadRequest("unknown user code");
        }

        return Results.SignIn(Principal(result.Principal.GetScopes()), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static ClaimsPrincipal Principal(IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, AuthServer.User)
            .SetClaim(Claims.Name, AuthServer.User)
            .SetClaim(Claims.PreferredUsername, AuthServer.User)
            .SetClaim(Claims.Email, AuthServer.User);
        identity.SetScopes(scopes);
        identity.SetDestinations(claim => claim.Type is Claims.Name or Claims.PreferredUsername or Claims.Email
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }
}
