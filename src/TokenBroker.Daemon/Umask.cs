using System.Runtime.InteropServices;

namespace TokenBroker.Daemon;

/// <summary>
/// Sets the process umask to 077 so every file the daemon or its libraries create (LiteDB's log
/// file among them) is private, also when started by hand rather than by systemd's <c>UMask=</c>.
/// </summary>
internal static partial class Umask
{
    public static void RestrictToOwner() => _ = SetUmask(0b000_111_111);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint SetUmask(uint mask);
}
