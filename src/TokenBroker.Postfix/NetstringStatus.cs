namespace TokenBroker.Postfix;

/// <summary>What <see cref="Netstring.TryRead"/> found at the start of a buffer.</summary>
public enum NetstringStatus
{
    /// <summary>A whole netstring was read and removed from the buffer.</summary>
    Complete,

    /// <summary>The buffer holds a valid beginning; read more bytes and try again.</summary>
    Incomplete,

    /// <summary>The framing is broken or over the limit; the connection cannot be used any more.</summary>
    Malformed,
}
