using System.Reflection;
using TokenBroker.Core;
using TokenBroker.Daemon.Admin;
using TokenBroker.Daemon.Consent;
using TokenBroker.Daemon.Metrics;
using TokenBroker.Daemon.Postfix;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.TokenFiles;

namespace TokenBroker.Daemon;

/// <summary>
/// Checks the <c>TokenBroker</c> section before anything reads it: a key no setting has (a typo, a
/// setting of a later version) and a value of the wrong type stop the daemon with a line naming
/// the key, instead of being ignored or failing later with a stack trace.
/// </summary>
internal static class SettingsCheck
{
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Admin"] = typeof(AdminOptions),
        ["Consent"] = typeof(ConsentOptions),
        ["Metrics"] = typeof(MetricsOptions),
        ["Postfix"] = typeof(PostfixOptions),
        ["Refresh"] = typeof(RefreshOptions),
        ["Storage"] = typeof(StorageOptions),
        ["TokenFiles"] = typeof(TokenFileOptions),
    };

    /// <exception cref="SetupException">A key is unknown or a value cannot be read as its setting's type.</exception>
    public static void Verify(IConfiguration configuration)
    {
        var root = configuration.GetSection(BrokerOptions.Section);
        Verify(root, typeof(BrokerOptions), Sections.Keys.Append("Accounts"));
        foreach (var (name, type) in Sections)
        {
            Verify(root.GetSection(name), type, []);
        }

        foreach (var account in root.GetSection("Accounts").GetChildren())
        {
            Verify(account, typeof(DeclaredAccount), []);
            Verify(account.GetSection(nameof(DeclaredAccount.TokenFile)), typeof(DeclaredTokenFile), []);
        }
    }

    private static void Verify(IConfigurationSection section, Type type, IEnumerable<string> subsections)
    {
        var known = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Concat(subsections).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (section.GetChildren().FirstOrDefault(child => !known.Contains(child.Key)) is { } unknown)
        {
            throw new SetupException($"{unknown.Path} is not a setting; {section.Path} takes {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }

        try
        {
            section.Get(type);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the type it wanted ("Failed to convert configuration value ... at 'KEY' to type ...").
            throw new SetupException($"{(ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})").TrimEnd('.')}; fix the configuration file or the TOKENBROKER__ environment variable", ex);
        }
    }
}
