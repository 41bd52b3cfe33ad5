namespace TokenBroker.Postfix;

/// <summary>The status word that starts every socketmap reply (<c>socketmap_table(5)</c>).</summary>
public enum SocketmapStatus
{
    /// <summary>The key was found; the reply carries its value.</summary>
    Ok,

    /// <summary>No such key.</summary>
    NotFound,

    /// <summary>The lookup failed for now; Postfix defers the mail and tries again later.</summary>
    Temp,

    /// <summary>The request itself is wrong; Postfix treats this as a configuration error.</summary>
    Perm,
}
