using System.CommandLine;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary>
/// <c>tokenbroker postfix-config [ACCOUNT…] [--postfix-dir DIR]</c>: prints the main.cf lines that make
/// Postfix ask the broker, from what the daemon is serving, and compares them with the Postfix
/// configuration when <c>postconf</c> is installed.
/// </summary>
internal static class PostfixConfigCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var accounts = new Argument<string[]>("ACCOUNT") { Description = "The accounts Postfix sends through (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var postfixDirectory = new Option<string?>("--postfix-dir") { Description = "The Postfix configuration directory to compare with (default: Postfix's own)" };
        var command = new Command("postfix-config", "Print the main.cf lines that make Postfix take its SASL passwords (tokens) from the broker") { accounts, postfixDirectory };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var setup = await client.PostfixAsync(cancellationToken).ConfigureAwait(false);
            var chosen = Choose(setup, result.GetValue(accounts) ?? []);
            var settings = PostfixSettings.For(setup, chosen);
            var output = result.InvocationConfiguration.Output;
            foreach (var account in chosen)
            {
                await output.WriteLineAsync($"# account {account.Name} ({account.Username}) answers: {string.Join(' ', account.Keys)}").ConfigureAwait(false);
            }

            foreach (var line in settings.Comments)
            {
                await output.WriteLineAsync($"# {line}").ConfigureAwait(false);
            }

            foreach (var (name, value) in settings.Values)
            {
                await output.WriteLineAsync(value.Length == 0 ? $"{name} =" : $"{name} = {value}").ConfigureAwait(false);
            }

            if (File.Exists(Postfix.Postconf))
            {
                await CompareAsync(settings, result.GetValue(postfixDirectory), result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static IReadOnlyList<PostfixAccount> Choose(PostfixSetup setup, string[] names)
    {
        if (setup.Socket is null)
        {
            throw new CliException(ExitCodes.Failure, "the daemon's Postfix lookup service is off; set TokenBroker:Postfix:Enabled to true and restart it");
        }

        if (names.Length == 0)
        {
            return setup.Accounts.Count > 0
                ? setup.Accounts
                : throw new CliException(ExitCodes.Unavailable, "the daemon has no accounts yet; add one with: tokenbroker account add NAME ...");
        }

        var byName = setup.Accounts.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        var unknown = names.Where(n => !byName.ContainsKey(n)).ToList();
        return unknown.Count == 0
            ? [.. names.Select(n => byName[n])]
            : throw new CliException(ExitCodes.Unavailable, $"no account named {string.Join(", ", unknown)}; 'tokenbroker account list' shows them");
    }

    /// <summary>Says which settings the Postfix configuration lacks or has otherwise; one stderr line each.</summary>
    private static async Task CompareAsync(PostfixSettings settings, string? directory, TextWriter error, CancellationToken cancellationToken)
    {
        var names = settings.Values.Select(v => v.Name).ToList();
        var current = await Postfix.ReadAsync(Postfix.Postconf, directory, names, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            await error.WriteLineAsync("tokenbroker: postconf could not read the Postfix configuration; compare the lines above by hand").ConfigureAwait(false);
            return;
        }

        var differing = settings.Values.Where(v => current.GetValueOrDefault(v.Name) != v.Value).ToList();
        foreach (var (name, value) in differing)
        {
            await error.WriteLineAsync($"postconf: {name} is '{current.GetValueOrDefault(name)}' in this Postfix, not '{value}'").ConfigureAwait(false);
        }

        await error.WriteLineAsync(differing.Count == 0
            ? "postconf: this Postfix already has every setting above"
            : $"postconf: {differing.Count} setting(s) differ; add the lines above to main.cf and run 'postfix reload'").ConfigureAwait(false);
    }
}
