using System.Buffers;
using System.Globalization;

namespace TokenBroker.Postfix;

/// <summary>
/// Netstrings (<c>LEN:PAYLOAD,</c>) as Postfix's socketmap client writes them. The length is checked
/// against the limit digit by digit, before any payload is awaited or stored, so a hostile prefix
/// such as <c>99999999999:</c> is refused at once.
/// </summary>
public static class Netstring
{
    /// <summary>
    /// Reads one netstring from the start of <paramref name="buffer"/>. On <see cref="NetstringStatus.Complete"/>
    /// the netstring is sliced off <paramref name="buffer"/> and <paramref name="payload"/> holds its payload.
    /// </summary>
    /// <param name="buffer">Received bytes; advanced past the netstring when complete.</param>
    /// <param name="maxPayload">The largest payload accepted.</param>
    /// <param name="payload">The payload, a slice of the original buffer.</param>
    /// <param name="error">Why the input is malformed, for the log.</param>
    public static NetstringStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxPayload, out ReadOnlySequence<byte> payload, out string? error)
    {
        payload = default;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        long length = 0;
        var digits = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                return NetstringStatus.Incomplete;
            }

            if (b == (byte)':' && digits > 0)
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                error = digits == 0 ? "netstring does not start with a length" : $"unexpected byte 0x{b:x2} in the netstring length";
                return NetstringStatus.Malformed;
            }

            if (digits > 0 && length == 0)
            {
                error = "netstring length has a leading zero";
                return NetstringStatus.Malformed;
            }

            length = (length * 10) + (b - '0');
            digits++;
            if (length > maxPayload)
            {
                error = $"netstring length exceeds the limit of {maxPayload.ToString(CultureInfo.InvariantCulture)} bytes";
                return NetstringStatus.Malformed;
            }
        }

        if (reader.Remaining < length + 1)
        {
            return NetstringStatus.Incomplete;
        }

        var body = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        reader.TryRead(out var terminator);
        if (terminator != (byte)',')
        {
            error = "netstring is not terminated by ','";
            return NetstringStatus.Malformed;
        }

        payload = body;
        buffer = buffer.Slice(reader.Position);
        return NetstringStatus.Complete;
    }

    /// <summary>Writes <paramref name="payload"/> as one netstring.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        var prefix = payload.Length.ToString(CultureInfo.InvariantCulture);
        var span = output.GetSpan(prefix.Length + payload.Length + 2);
        var written = System.Text.Encoding.ASCII.GetBytes(prefix, span);
        span[written++] = (byte)':';
        payload.CopyTo(span[written..]);
        written += payload.Length;
        span[written++] = (byte)',';
        output.Advance(written);
    }
}
