using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary>
/// The main.cf settings that make Postfix's smtp client take user and token from the broker. The
/// lookups go through proxymap(8) (<c>proxy:socketmap:</c>), which runs outside the chroot Debian
/// gives smtp(8); both maps are in Postfix's default <c>proxy_read_maps</c>.
/// </summary>
/// <param name="Values">Each parameter and its value, in main.cf order.</param>
/// <param name="Comments">Notes for the operator, printed as comments.</param>
internal sealed record PostfixSettings(IReadOnlyList<(string Name, string Value)> Values, IReadOnlyList<string> Comments)
{
    public static PostfixSettings For(PostfixSetup setup, IReadOnlyList<PostfixAccount> accounts)
    {
        var table = $"proxy:socketmap:unix:{setup.Socket}";
        var values = new List<(string, string)>
        {
            ("smtp_sasl_auth_enable", "yes"),
            ("smtp_sasl_password_maps", $"{table}:{setup.MapName}"),
            ("smtp_sasl_mechanism_filter", "xoauth2"),
            // XOAUTH2 carries its token in the clear like PLAIN: "noplaintext" would rule it out, TLS below protects it.
            ("smtp_sasl_security_options", "noanonymous"),
            ("smtp_sasl_tls_security_options", "noanonymous"),
            ("smtp_tls_security_level", "encrypt"),
        };
        var comments = new List<string>
        {
            "The SASL plugin for XOAUTH2 must be installed: make -C contrib/sasl-xoauth2 install",
            $"Without proxymap: set TokenBroker:Postfix:Socket to /var/spool/postfix/private/tokenbroker and use socketmap:unix:private/tokenbroker:{setup.MapName}",
        };
        var relays = accounts.Select(a => a.RelayHost).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (relays.Count == 1)
        {
            values.Add(("relayhost", relays[0]));
        }
        else if (relays.Count == 0)
        {
            comments.Add("Set relayhost to the SMTP server, e.g. [smtp.example.com]:587, and give the account that next-hop as a --match key");
        }

        if (accounts.Count > 1)
        {
            // Several accounts: the sender address picks the account (and, with several servers, the server).
            values.Add(("smtp_sender_dependent_authentication", "yes"));
            if (relays.Count > 1)
            {
                values.Add(("sender_dependent_relayhost_maps", $"{table}:{setup.RelayMapName}"));
            }

            comments.Add("Each sender address (or @domain) must be an account's user name or --match key");
        }

        return new PostfixSettings(values, comments);
    }
}
