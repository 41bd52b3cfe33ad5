namespace TokenBroker.Core.OAuth;

/// <summary>A device-code consent in progress: what the person types where, and the wait for their approval.</summary>
public interface IDeviceConsent
{
    /// <summary>The code the person enters.</summary>
    string UserCode { get; }

    /// <summary>Where the person enters it.</summary>
    Uri VerificationUri { get; }

    /// <summary>A link with the code filled in, when the provider offers one.</summary>
    Uri? VerificationUriComplete { get; }

    /// <summary>When the device code expires.</summary>
    DateTimeOffset ExpiresAt { get; }

    /// <summary>Polls the provider at its interval until the person approves, refuses, or the code expires.</summary>
    Task<OAuthResult<IssuedTokens>> WaitAsync(CancellationToken cancellationToken);
}
