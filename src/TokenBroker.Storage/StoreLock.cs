using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TokenBroker.Core;
using TokenBroker.Core.State;

namespace TokenBroker.Storage;

/// <summary>
/// An exclusive flock(2) on the state directory's lock file, held while the store is open. LiteDB's
/// own locking does not stop a second process from writing the same file on Linux; this does.
/// </summary>
internal sealed partial class StoreLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    public static StoreLock Acquire(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite,
                UnixCreateMode = PrivateFiles.FileMode,
            });
        }
        catch (IOException ex)
        {
            // .NET itself takes a shared flock when opening; it fails while another daemon holds ours.
            throw Held(path, ex);
        }

        if (Flock(file.SafeFileHandle, LockExclusive | LockNonBlocking) != 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            file.Dispose();
            throw Held(path, new IOException(error));
        }

        return new StoreLock(file);
    }

    public void Dispose() => _file.Dispose();

    private static SetupException Held(string path, Exception cause) =>
        new($"another tokenbrokerd is using this state directory ({path} is locked); stop it first, or give this daemon its own StateDirectory", cause);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);
}
