using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenBroker.Core.Admin;

/// <summary>A consent the daemon started: what the person must open (browser) or enter (device).</summary>
/// <param name="Id">Opaque id to wait for the outcome with.</param>
/// <param name="AuthorizationUri">The URL to open, for a browser consent.</param>
/// <param name="RedirectUri">The loopback callback the browser returns to, for a browser consent.</param>
/// <param name="UserCode">The code to enter, for a device consent.</param>
/// <param name="VerificationUri">Where to enter it, for a device consent.</param>
/// <param name="ExpiresAt">When the consent stops waiting.</param>
public sealed record ConsentStarted(string Id, Uri? AuthorizationUri, Uri? RedirectUri, string? UserCode, Uri? VerificationUri, DateTimeOffset ExpiresAt);

/// <summary>How a consent ended.</summary>
/// <param name="Stored">True when the grant was stored.</param>
/// <param name="Message">What happened and what to do, for a person.</param>
/// <param name="Error">The provider's or the broker's error code, if any.</param>
/// <param name="Transient">True when trying again later may work.</param>
public sealed record ConsentFinished(bool Stored, string Message, string? Error, bool Transient);

/// <summary>The final redirect URL a person pasted.</summary>
/// <param name="Url">The URL.</param>
public sealed record PastedCallback(string Url);

/// <summary>An account's current access token, as the daemon serves it to the CLI over the admin socket.</summary>
/// <param name="Account">The account.</param>
/// <param name="Username">The login name to send with the token (SASL user).</param>
/// <param name="AccessToken">The access token.</param>
/// <param name="ExpiresAt">When the token expires.</param>
public sealed record CurrentToken(string Account, string Username, string AccessToken, DateTimeOffset ExpiresAt)
{
    /// <summary>Names the account and the expiry; never the token.</summary>
    public override string ToString() => $"CurrentToken {{ Account = {Account}, Username = {Username}, ExpiresAt = {ExpiresAt:u} }}";
}

/// <summary>What Postfix needs to know to ask the broker: where, under which map names, and which keys each account answers.</summary>
/// <param name="Socket">The lookup service's unix socket; null when the service is disabled.</param>
/// <param name="Port">The optional TCP port on 127.0.0.1 that also serves lookups.</param>
/// <param name="MapName">The map name for <c>smtp_sasl_password_maps</c>.</param>
/// <param name="RelayMapName">The map name for <c>sender_dependent_relayhost_maps</c>.</param>
/// <param name="Accounts">Every account, ordered by name.</param>
public sealed record PostfixSetup(string? Socket, int? Port, string MapName, string RelayMapName, IReadOnlyList<PostfixAccount> Accounts);

/// <summary>One account as Postfix sees it.</summary>
/// <param name="Name">The account.</param>
/// <param name="Username">The SASL user name.</param>
/// <param name="RelayHost">The next-hop it sends through, if known.</param>
/// <param name="Keys">The lookup keys it answers (folded).</param>
public sealed record PostfixAccount(string Name, string Username, string? RelayHost, IReadOnlyList<string> Keys);

/// <summary>An admin request that failed.</summary>
/// <param name="Error">A stable code: <c>unknown_account</c>, <c>needs_consent</c>, <c>exists</c>, <c>unavailable</c>, <c>unreadable</c>, <c>provider</c>, <c>bad_request</c>.</param>
/// <param name="Message">One line for a person.</param>
/// <param name="Transient">True when trying again later may work.</param>
public sealed record AdminError(string Error, string Message, bool Transient = false);

/// <summary>Source-generated JSON for the admin API (the CLI is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConsentStarted))]
[JsonSerializable(typeof(ConsentFinished))]
[JsonSerializable(typeof(PastedCallback))]
[JsonSerializable(typeof(CurrentToken))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(PostfixSetup))]
[JsonSerializable(typeof(AccountSpec))]
[JsonSerializable(typeof(AccountStatus))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(AccountDetails))]
[JsonSerializable(typeof(AccountRemoved))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(ReloadOutcome))]
[JsonSerializable(typeof(KeyChange))]
public sealed partial class AdminJson : JsonSerializerContext;
