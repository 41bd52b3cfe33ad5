namespace TokenBroker.Core.OAuth;

/// <summary>The endpoints of a provider, explicit or discovered.</summary>
/// <param name="Authorization">Authorization endpoint.</param>
/// <param name="Token">Token endpoint.</param>
/// <param name="DeviceAuthorization">Device authorization endpoint, if the provider offers the device flow.</param>
/// <param name="Revocation">Revocation endpoint, if any.</param>
public sealed record ProviderEndpoints(Uri Authorization, Uri Token, Uri? DeviceAuthorization, Uri? Revocation);
