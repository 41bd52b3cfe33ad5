using System.Buffers.Binary;
using System.Net.Sockets;

namespace TokenBroker.Postfix;

/// <summary>The kernel's account of who is at the other end of a unix socket (<c>SO_PEERCRED</c>), not anything the client says.</summary>
public static class PeerCredentials
{
    /// <summary><c>SOL_SOCKET</c>, for <see cref="Socket.GetRawSocketOption"/>.</summary>
    public const int SolSocket = 1;

    private const int SoPeerCred = 17;

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
}
