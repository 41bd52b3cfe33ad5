using System.CommandLine;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker status [--json]</c>: every account's state, token expiry, next refresh and last error.</summary>
internal static class StatusCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var json = new Option<bool>("--json") { Description = "Print the daemon's answer as JSON" };
        var command = new Command("status", "Show every account: state, when its token expires, the next refresh, the last error") { json };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var report = await client.AccountsAsync(cancellationToken).ConfigureAwait(false);
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                await Display.JsonAsync(output, report, AdminJson.Default.StatusReport).ConfigureAwait(false);
            }
            else if (report.Accounts.Count == 0)
            {
                await output.WriteLineAsync(NoAccounts).ConfigureAwait(false);
            }
            else
            {
                await Display.TableAsync(
                    output,
                    ["ACCOUNT", "PROVIDER", "STATE", "TOKEN EXPIRES", "NEXT REFRESH", "LAST REFRESH", "LAST ERROR"],
                    report.Accounts.Select(a => new[]
                    {
                        a.Name, a.Provider ?? "-", Display.State(a.State), Display.Relative(a.ExpiresAt, report.Now),
                        Display.Relative(a.NextRefresh, report.Now), Display.Relative(a.LastRefresh, report.Now), a.LastError ?? "-",
                    })).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What to say when there is nothing to list.</summary>
    public const string NoAccounts = "no accounts; add one with: tokenbroker account add NAME --provider google|microsoft|generic --username ADDRESS --client-id ID";
}
