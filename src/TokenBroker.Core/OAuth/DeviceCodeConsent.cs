using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.OAuth;

/// <summary>A device-code consent: polls the token endpoint at the provider's interval (RFC 8628).</summary>
internal sealed class DeviceCodeConsent(
    CodeFlowClient client,
    Account account,
    ProviderEndpoints provider,
    Secret deviceCode,
    string userCode,
    Uri verificationUri,
    Uri? verificationUriComplete,
    DateTimeOffset expiresAt,
    TimeSpan interval,
    TimeProvider time) : IDeviceConsent
{
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    public string UserCode { get; } = userCode;

    public Uri VerificationUri { get; } = verificationUri;

    public Uri? VerificationUriComplete { get; } = verificationUriComplete;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public async Task<OAuthResult<IssuedTokens>> WaitAsync(CancellationToken cancellationToken)
    {
        var wait = interval;
        while (time.GetUtcNow() < ExpiresAt)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            var result = await client.PollDeviceAsync(account, provider, deviceCode, cancellationToken).ConfigureAwait(false);
            switch (result.Failure?.Error)
            {
                case null:
                    return result;
                case "authorization_pending":
                    break;
                case "slow_down":
                    wait += SlowDownStep;
                    break;
                default:
                    if (result.Failure.Kind == OAuthFailureKind.Permanent)
                    {
                        return result;
                    }

                    break;
            }
        }

        return new OAuthFailure(OAuthFailureKind.Permanent, "expired_token", "the device code expired before it was approved; start again");
    }
}
