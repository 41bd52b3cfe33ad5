namespace TokenBroker.TestUtils;

/// <summary>A small tmpfs mounted on a temporary directory (needs root), to run a disk out of space on purpose.</summary>
public sealed class Tmpfs : IDisposable
{
    private readonly TempDirectory _mountPoint = new();

    private Tmpfs()
    {
    }

    public string Path => _mountPoint.Path;

    public static async Task<Tmpfs> MountAsync(int kibibytes)
    {
        var tmpfs = new Tmpfs();
        var mounted = await Command.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={kibibytes}k,mode=0700", "tokenbroker-test", tmpfs.Path]);
        Assert.True(mounted.ExitCode == 0, $"these tests need root to mount a tmpfs: {mounted}");
        return tmpfs;
    }

    /// <summary>Writes a file of zeros until the file system is full; returns its path.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var stream = File.Create(filler);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(chunk);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // No space left on device: the point.
        }

        return filler;
    }

    public void Dispose()
    {
        Command.RunAsync("umount", ["-l", Path]).GetAwaiter().GetResult();
        _mountPoint.Dispose();
    }
}
