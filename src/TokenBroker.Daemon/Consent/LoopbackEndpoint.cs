using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace TokenBroker.Daemon.Consent;

/// <summary>The consent endpoint's address once Kestrel has bound it (the port may be ephemeral).</summary>
internal sealed class LoopbackEndpoint(IServer server)
{
    public const string CallbackPath = "/callback";

    /// <summary>Host names a browser on this machine uses for the endpoint; any other Host header is refused.</summary>
    public static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The bound base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseUri =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Where(address => !address.StartsWith("http://unix:", StringComparison.Ordinal))
            .Select(address => new Uri(address))
            .FirstOrDefault()
        ?? throw new InvalidOperationException("the consent endpoint is not listening yet");

    /// <summary>The redirect URI registered with providers: <c>http://127.0.0.1:PORT/callback</c>.</summary>
    public Uri RedirectUri => new(BaseUri, CallbackPath);
}
