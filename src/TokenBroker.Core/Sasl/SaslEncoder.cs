using System.Globalization;
using System.Text;

namespace TokenBroker.Core.Sasl;

/// <summary>Builds the initial client responses of the XOAUTH2 and OAUTHBEARER (RFC 7628) mechanisms.</summary>
public static class SaslEncoder
{
    /// <summary>
    /// <c>base64("user=" user "\u0001auth=Bearer " token "\u0001\u0001")</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The user or token holds a control character.</exception>
    public static string XOAuth2(string user, string token)
    {
        CheckPrintable(user, nameof(user));
        CheckPrintable(token, nameof(token));
        return Base64($"user={user}\u0001auth=Bearer {token}\u0001\u0001");
    }

    /// <summary>
    /// <c>base64("n,a=" user ",\u0001host=" host "\u0001port=" port "\u0001auth=Bearer " token "\u0001\u0001")</c>;
    /// host and port are left out when not given. A <c>,</c> or <c>=</c> in the user is escaped as RFC 5801 requires.
    /// </summary>
    /// <exception cref="ArgumentException">A value holds a control character, or the port is out of range.</exception>
    public static string OAuthBearer(string user, string token, string? host = null, int? port = null)
    {
        CheckPrintable(user, nameof(user));
        CheckPrintable(token, nameof(token));
        var message = new StringBuilder("n,a=")
            .Append(user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal))
            .Append(",\u0001");
        if (host is not null)
        {
            CheckPrintable(host, nameof(host));
            message.Append("host=").Append(host).Append('\u0001');
        }

        if (port is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p, nameof(port));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 65535, nameof(port));
            message.Append("port=").Append(p.ToString(CultureInfo.InvariantCulture)).Append('\u0001');
        }

        message.Append("auth=Bearer ").Append(token).Append("\u0001\u0001");
        return Base64(message.ToString());
    }

    private static string Base64(string message) => Convert.ToBase64String(Encoding.UTF8.GetBytes(message));

    private static void CheckPrintable(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0 || value.Any(char.IsControl))
        {
            throw new ArgumentException($"The {name} must be non-empty and hold no control characters.", name);
        }
    }
}
