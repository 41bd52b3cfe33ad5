using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Core.Secrets;

/// <summary>
/// A secret value (token, client secret, token cache). <see cref="ToString"/> never shows it;
/// callers must ask for it with <see cref="Reveal"/> or <see cref="RevealBytes"/>.
/// </summary>
public sealed class Secret : IEquatable<Secret>
{
    private readonly byte[] _value;

    private Secret(byte[] value) => _value = value;

    /// <summary>The number of bytes in the secret.</summary>
    public int Length => _value.Length;

    /// <summary>A secret made from text, kept as UTF-8.</summary>
    public static Secret FromText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new Secret(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A secret made from a copy of <paramref name="value"/>.</summary>
    public static Secret FromBytes(ReadOnlySpan<byte> value) => new(value.ToArray());

    /// <summary>The secret as text (UTF-8).</summary>
    public string Reveal() => Encoding.UTF8.GetString(_value);

    /// <summary>The secret's bytes.</summary>
    public ReadOnlySpan<byte> RevealBytes() => _value;

    /// <summary>Compares in constant time.</summary>
    public bool Equals(Secret? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_value, other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Secret);

    /// <inheritdoc />
    public override int GetHashCode() => _value.Length;

    /// <summary>Always <c>[secret]</c>: the value is never shown.</summary>
    public override string ToString() => "[secret]";
}
