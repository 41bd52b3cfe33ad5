using System.Buffers.Binary;
using System.Net.Sockets;

namespace TokenBroker.Postfix;

/// <summary>
/// The kernel's account of who is at the other end of a unix socket (<c>SO_PEERCRED</c>,
/// <c>SO_PEERGROUPS</c>), not anything the client says.
/// </summary>
public static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;

    /// <summary>The process, user and group that connected <paramref name="socket"/>; null when the kernel does not say (not a unix socket).</summary>
    public static (int Pid, uint Uid, uint Gid)? Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> credentials = stackalloc byte[12];
        if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) != credentials.Length)
        {
            return null;
        }

        return (BinaryPrimitives.ReadInt32LittleEndian(credentials),
            BinaryPrimitives.ReadUInt32LittleEndian(credentials[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(credentials[8..]));
    }

    /// <summary>The supplementary groups of the process that connected <paramref name="socket"/>; none when the kernel does not say.</summary>
    public static IEnumerable<uint> Groups(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var buffer = new byte[4 * 1024];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
        }
        catch (SocketException)
        {
            // More groups than the buffer holds, or a kernel without SO_PEERGROUPS: the caller still has the primary group.
            yield break;
        }

        for (var offset = 0; offset + 4 <= length; offset += 4)
        {
            yield return BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
        }
    }
}
