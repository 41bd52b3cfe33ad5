using Microsoft.Identity.Client;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>An MSAL device-code login: MSAL polls; this waits for its result.</summary>
internal sealed class MsalDeviceConsent(MsalClient client, DeviceCodeResult device, Task<AuthenticationResult> login, CacheSlot cache) : IDeviceConsent
{
    public string UserCode { get; } = device.UserCode;

    public Uri VerificationUri { get; } = new(device.VerificationUrl);

    public Uri? VerificationUriComplete => null;

    public DateTimeOffset ExpiresAt { get; } = device.ExpiresOn;

    public Task<OAuthResult<IssuedTokens>> WaitAsync(CancellationToken cancellationToken) => client.FinishAsync(login, cache, cancellationToken);
}
