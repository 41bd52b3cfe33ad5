using System.CommandLine;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker refresh NAME | --all</c>: refreshes now instead of at the planned time.</summary>
internal static class RefreshCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var name = new Argument<string?>("NAME") { Description = "The account", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Refresh every account, one after the other" };
        var command = new Command("refresh", "Refresh an account's token now (or every account's with --all)") { name, all };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(name) is null) == !result.GetValue(all))
            {
                result.AddError("give an account NAME or --all");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(name) is { } account)
            {
                await RefreshOneAsync(client, account, output, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            // Every account is tried; the exit code is the worst outcome (75 over 69 over 1).
            var worst = ExitCodes.Ok;
            foreach (var status in (await client.AccountsAsync(cancellationToken).ConfigureAwait(false)).Accounts)
            {
                try
                {
                    await RefreshOneAsync(client, status.Name, output, cancellationToken).ConfigureAwait(false);
                }
                catch (CliException ex)
                {
                    await Console.Error.WriteLineAsync($"tokenbroker: {ex.Message}").ConfigureAwait(false);
                    worst = Math.Max(worst, ex.ExitCode);
                }
            }

            return worst;
        });
        return command;
    }

    private static async Task RefreshOneAsync(AdminClient client, string account, TextWriter output, CancellationToken cancellationToken)
    {
        var refreshed = await client.RefreshAsync(account, cancellationToken).ConfigureAwait(false);
        var (status, now) = (refreshed.Status, refreshed.Now);
        await output.WriteLineAsync($"{status.Name}: refreshed; token expires {Display.Relative(status.ExpiresAt, now)}, next refresh {Display.Relative(status.NextRefresh, now)}").ConfigureAwait(false);
    }
}
