using System.Buffers;
using System.Text;

namespace TokenBroker.Postfix;

/// <summary>
/// One socketmap reply. The text of <c>TEMP</c> and <c>PERM</c> replies ends up in Postfix's log and
/// in deferral notices, so control characters are replaced; an <c>OK</c> value is sent as given.
/// </summary>
public readonly record struct SocketmapReply
{
    /// <summary>The largest reply payload Postfix accepts.</summary>
    public const int MaxPayload = 100_000;

    private SocketmapReply(SocketmapStatus status, string text)
    {
        Status = status;
        Text = text;
    }

    /// <summary>The reply's status.</summary>
    public SocketmapStatus Status { get; }

    /// <summary>The value (<c>OK</c>) or the reason (<c>TEMP</c>, <c>PERM</c>); empty for <c>NOTFOUND</c>.</summary>
    public string Text { get; }

    /// <summary>The reply <c>NOTFOUND</c>.</summary>
    public static SocketmapReply NotFound { get; } = new(SocketmapStatus.NotFound, string.Empty);

    /// <summary>The reply <c>OK <paramref name="value"/></c>.</summary>
    public static SocketmapReply Ok(string value) => new(SocketmapStatus.Ok, value);

    /// <summary>The reply <c>TEMP <paramref name="reason"/></c>.</summary>
    public static SocketmapReply Temp(string reason) => new(SocketmapStatus.Temp, Printable(reason));

    /// <summary>The reply <c>PERM <paramref name="reason"/></c>.</summary>
    public static SocketmapReply Perm(string reason) => new(SocketmapStatus.Perm, Printable(reason));

    /// <summary>Writes the reply as one netstring; a value too long for Postfix becomes a <c>PERM</c> reply.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var word = Status switch
        {
            SocketmapStatus.Ok => "OK ",
            SocketmapStatus.NotFound => "NOTFOUND ",
            SocketmapStatus.Temp => "TEMP ",
            _ => "PERM ",
        };
        var length = word.Length + Encoding.UTF8.GetByteCount(Text);
        if (length > MaxPayload)
        {
            Perm($"the value is {length} bytes, more than the {MaxPayload} a socketmap reply may hold").WriteTo(output);
            return;
        }

        var payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.ASCII.GetBytes(word, payload);
            written += Encoding.UTF8.GetBytes(Text, payload.AsSpan(written));
            Netstring.Write(output, payload.AsSpan(0, written));
        }
        finally
        {
            // An OK value holds a token.
            Array.Clear(payload, 0, length);
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>The status word alone: a reply's value is a secret.</summary>
    public override string ToString() => Status.ToString();

    private static string Printable(string reason) =>
        string.Create(reason.Length, reason, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
}
