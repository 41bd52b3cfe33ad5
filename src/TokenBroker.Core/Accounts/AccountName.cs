using System.Diagnostics.CodeAnalysis;

namespace TokenBroker.Core.Accounts;

/// <summary>
/// An account's name: 1–128 characters of ASCII letters, digits and <c>. _ - @ +</c>, starting with
/// a letter or digit; kept in lower case, so names compare without regard to case.
/// </summary>
public readonly record struct AccountName
{
    /// <summary>The longest allowed name.</summary>
    public const int MaxLength = 128;

    private AccountName(string value) => Value = value;

    /// <summary>The name in lower case.</summary>
    public string Value { get; }

    /// <summary>Parses a name.</summary>
    /// <exception cref="FormatException">The text is not a valid account name.</exception>
    public static AccountName Parse(string text) =>
        TryParse(text, out var name)
            ? name
            : throw new FormatException(
                $"'{text}' is not a valid account name: use 1-{MaxLength} letters, digits and . _ - @ +, starting with a letter or digit.");

    /// <summary>Parses a name without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out AccountName name)
    {
        name = default;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || !char.IsAsciiLetterOrDigit(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or '@' or '+'))
            {
                return false;
            }
        }

        name = new AccountName(text.ToLowerInvariant());
        return true;
    }

    /// <summary>The name.</summary>
    public override string ToString() => Value ?? string.Empty;
}
