using System.Net;
using System.Net.Sockets;

namespace TokenBroker.TestUtils;

/// <summary>TCP ports on 127.0.0.1 that were free a moment ago.</summary>
public static class FreePorts
{
    /// <summary>
    /// <paramref name="count"/> distinct ports: all bound at once, then released for the servers under
    /// test to bind (a small race with other programs remains).
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
