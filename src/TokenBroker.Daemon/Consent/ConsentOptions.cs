using System.Net;
using TokenBroker.Core;

namespace TokenBroker.Daemon.Consent;

/// <summary>The <c>TokenBroker:Consent</c> section: where the loopback consent endpoint listens.</summary>
internal sealed class ConsentOptions
{
    public const string Section = "TokenBroker:Consent";

    /// <summary>A loopback address: <c>127.0.0.1</c> (default) or <c>::1</c>.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 (default) picks a free one at start.</summary>
    public int Port { get; set; }

    /// <summary>How long a started consent waits for the browser.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The listen address, checked to be loopback.</summary>
    /// <exception cref="SetupException">Not an IP address, not loopback, or a bad port.</exception>
    public IPAddress LoopbackAddress()
    {
        if (!IPAddress.TryParse(ListenAddress, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new SetupException($"TokenBroker:Consent:ListenAddress must be a loopback address (127.0.0.1 or ::1), not '{ListenAddress}'");
        }

        if (Port is < 0 or > 65535)
        {
            throw new SetupException($"TokenBroker:Consent:Port must be 0 (any free port) or 1-65535, not {Port}");
        }

        return address;
    }
}
