using TokenBroker.Core.State;

namespace TokenBroker.TestUtils;

/// <summary>A private (0700) directory under the system temp directory, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tokenbroker-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path, PrivateFiles.DirectoryMode);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Every file under the directory with its bytes, to prove that nothing changed.</summary>
    public IReadOnlyDictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, File.ReadAllBytes, StringComparer.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
