using System.Runtime.InteropServices;

namespace TokenBroker.Daemon;

/// <summary>The few POSIX calls .NET has no API for: owners, users and their groups, an inherited ignored signal.</summary>
internal static partial class Posix
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxOwners = 0x0008 | 0x0010; // STATX_UID | STATX_GID
    private const int SigHup = 1;
    private const nint SigDefault = 0;
    private const nint SigIgnore = 1;

    /// <summary>The owner of <paramref name="path"/> itself (a link is not followed), or null when it does not exist.</summary>
    public static (uint User, uint Group)? Owner(string path)
    {
        // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, ... (256 bytes).
        Span<byte> buffer = stackalloc byte[256];
        return Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxOwners, ref MemoryMarshal.GetReference(buffer)) == 0
            ? (MemoryMarshal.Read<uint>(buffer[20..]), MemoryMarshal.Read<uint>(buffer[24..]))
            : null;
    }

    /// <summary>The uid of the daemon's process.</summary>
    public static uint UserId() => GetUserId();

    /// <summary>The uid of a user name or number; null when no such user exists.</summary>
    public static uint? ResolveUser(string user)
    {
        if (uint.TryParse(user, out var uid))
        {
            return uid;
        }

        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... }
        var entry = GetPasswordByName(user);
        return entry == 0 ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    /// <summary>The gid of a group name or number; null when no such group exists.</summary>
    public static uint? ResolveGroup(string group)
    {
        if (uint.TryParse(group, out var gid))
        {
            return gid;
        }

        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
        var entry = GetGroupByName(group);
        return entry == 0 ? null : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    /// <summary>A user's uid and primary gid; null when no such user exists.</summary>
    public static (uint User, uint Group)? Identity(string user)
    {
        var entry = GetPasswordByName(user);
        if (entry == 0)
        {
            return null;
        }

        var uid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        return (uid, (uint)Marshal.ReadInt32(entry, (2 * IntPtr.Size) + 4));
    }

    /// <summary>Changes owner and group; <see cref="uint.MaxValue"/> leaves one as it is.</summary>
    /// <returns>Null on success, else the system's reason.</returns>
    public static string? ChangeOwner(string path, uint user, uint group) =>
        Chown(path, user, group) == 0 ? null : Marshal.GetLastPInvokeErrorMessage();

    /// <summary>
    /// Gives SIGHUP its default disposition back when the process inherited it ignored (started under
    /// <c>nohup</c>, say): .NET leaves an inherited ignored signal ignored, handler or not.
    /// </summary>
    /// <returns>True when SIGHUP was ignored.</returns>
    public static bool UnignoreHangup()
    {
        // struct sigaction begins with the handler on Linux (x86-64 and arm64); 256 bytes hold all of it.
        Span<byte> action = stackalloc byte[256];
        if (SignalAction(SigHup, 0, ref MemoryMarshal.GetReference(action)) != 0 || MemoryMarshal.Read<nint>(action) != SigIgnore)
        {
            return false;
        }

        Signal(SigHup, SigDefault);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static partial int SignalAction(int signal, nint action, ref byte previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUserId();

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetPasswordByName(string name);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetGroupByName(string name);
}
