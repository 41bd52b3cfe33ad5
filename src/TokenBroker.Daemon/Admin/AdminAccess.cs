using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using TokenBroker.Postfix;

namespace TokenBroker.Daemon.Admin;

/// <summary>
/// Who may use the admin API, checked for every request from the kernel's account of the peer
/// (<c>SO_PEERCRED</c>, <c>SO_PEERGROUPS</c>), not from anything the client says: root, the
/// daemon's own user, and the configured users and groups (supplementary groups count).
/// </summary>
internal sealed class AdminAccess(uint daemonUser, IReadOnlySet<uint> users, IReadOnlySet<uint> groups)
{
    /// <summary>Why the peer of <paramref name="context"/>'s connection may not use the API; null when it may.</summary>
    public string? Refusal(HttpContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { AddressFamily: AddressFamily.Unix } socket)
        {
            return "the admin API answers on its unix socket only";
        }

        if (PeerCredentials.Of(socket) is not var (pid, uid, gid))
        {
            return "the daemon cannot tell who is asking";
        }

        if (uid == 0 || uid == daemonUser || users.Contains(uid) || groups.Contains(gid) || PeerCredentials.Groups(socket).Any(groups.Contains))
        {
            return null;
        }

        return $"user {uid} (process {pid}) may not use tokenbrokerd's admin socket; add the user to TokenBroker:Admin:AllowedUsers, or to the group in TokenBroker:Admin:SocketGroup or AllowedGroups";
    }
}
