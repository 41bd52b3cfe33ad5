using System.Runtime.InteropServices;

namespace TokenBroker.Storage;

/// <summary>fsync(2) on a directory, so that a rename in it survives a power cut; .NET has no API for it.</summary>
public static partial class DirectorySync
{
    private const int OpenReadOnly = 0;

    /// <summary>Makes the renames and new names in <paramref name="directory"/> durable.</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static void Sync(string directory)
    {
        var descriptor = OpenDescriptor(directory, OpenReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open directory {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot sync directory {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenDescriptor(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
