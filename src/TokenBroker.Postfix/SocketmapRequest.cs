using System.Buffers;
using System.Text;

namespace TokenBroker.Postfix;

/// <summary>A socketmap request: <c>NAME KEY</c>, the map name and the key separated by the first space.</summary>
/// <param name="Map">The map name (printable ASCII).</param>
/// <param name="Key">The key exactly as Postfix sent it; callers fold case themselves.</param>
public sealed record SocketmapRequest(string Map, string Key)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses a netstring payload.</summary>
    /// <param name="payload">The payload of one request netstring.</param>
    /// <param name="error">Why the payload is not a request.</param>
    /// <returns>The request, or null with <paramref name="error"/> set.</returns>
    public static SocketmapRequest? Parse(ReadOnlySequence<byte> payload, out string? error)
    {
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        var space = bytes.IndexOf((byte)' ');
        if (space <= 0)
        {
            error = "request is not \"NAME KEY\"";
            return null;
        }

        var map = bytes[..space];
        if (map.ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            error = "map name is not printable ASCII";
            return null;
        }

        var key = bytes[(space + 1)..];
        if (key.IsEmpty)
        {
            error = "request has an empty key";
            return null;
        }

        try
        {
            error = null;
            return new SocketmapRequest(Encoding.ASCII.GetString(map), StrictUtf8.GetString(key));
        }
        catch (DecoderFallbackException)
        {
            error = "key is not valid UTF-8";
            return null;
        }
    }
}
