using System.Security.Cryptography;
using System.Text;
using TokenBroker.Core.State;

namespace TokenBroker.Core.Secrets;

/// <summary>
/// Reads and writes the master key file: 32 raw bytes, or their base64 on one line (what
/// <see cref="Create"/> writes, so the key can be backed up as text). The file must be mode 0600
/// or stricter.
/// </summary>
public static class MasterKeyFile
{
    /// <summary>Loads the key from <paramref name="path"/>.</summary>
    /// <exception cref="SetupException">Missing, group/world-accessible or malformed.</exception>
    public static MasterKey Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new SetupException($"master key file {path} does not exist; run: tokenbroker init --key-file {path}");
        }

        PrivateFiles.EnsurePrivate(path, "master key file");
        var content = File.ReadAllBytes(path);
        try
        {
            return FromContent(content, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    /// <summary>The key in the content of a key file (32 raw bytes or their base64), which came from <paramref name="source"/>.</summary>
    /// <exception cref="SetupException">The content is neither.</exception>
    public static MasterKey FromContent(byte[] content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new MasterKey(Decode(content) ?? throw new SetupException(
            $"master key file {source} holds {content.Length} bytes; expected {MasterKey.Size} raw bytes or their base64"), source);
    }

    /// <summary>Creates <paramref name="path"/> with a new random key, mode 0600; fails if it exists.</summary>
    public static MasterKey Create(string path)
    {
        var key = MasterKey.Generate(path);
        Write(path, key);
        return key;
    }

    /// <summary>Where a new key waits beside <paramref name="path"/> while a rekey is under way.</summary>
    public static string PendingPath(string path) => path + ".new";

    /// <summary>
    /// Writes a new random key to <see cref="PendingPath"/> (mode 0600, synced to disk), replacing a
    /// leftover one; the key's source is <paramref name="path"/>, where it will be renamed to.
    /// </summary>
    public static MasterKey CreatePending(string path)
    {
        var pending = PendingPath(path);
        File.Delete(pending);
        var key = MasterKey.Generate(path);
        Write(pending, key);
        return key;
    }

    private static void Write(string path, MasterKey key)
    {
        using var stream = PrivateFiles.CreateNew(path);
        stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key.Bytes) + "\n"));
        stream.Flush(flushToDisk: true);
    }

    private static byte[]? Decode(byte[] content)
    {
        if (content.Length == MasterKey.Size)
        {
            return content;
        }

        var text = Encoding.ASCII.GetString(content).Trim();
        var buffer = new byte[MasterKey.Size];
        return Convert.TryFromBase64String(text, buffer, out var written) && written == MasterKey.Size ? buffer : null;
    }
}
