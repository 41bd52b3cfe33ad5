using Microsoft.Identity.Client;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>Gives MSAL the broker's own HttpClient (its timeout, its trust settings).</summary>
internal sealed class SharedHttpClientFactory(HttpClient http) : IMsalHttpClientFactory
{
    public HttpClient GetHttpClient() => http;
}
