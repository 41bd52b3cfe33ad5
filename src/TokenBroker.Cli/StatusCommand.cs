using System.CommandLine;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker status [--json]</c>: every account's state, token expiry, next refresh, the last refresh and the node that made it, and the last error.</summary>
internal static class StatusCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var json = new Option<bool>("--json") { Description = "Print the daemon's answer as JSON" };
        var command = new Command("status", "Show every account: state, when its token expires, the next refresh, the last error") { json };
        command.SetAction((result, cancellationToken) => ShowAsync(
            result,
            adminSocket,
            json,
            ["ACCOUNT", "PROVIDER", "STATE", "TOKEN EXPIRES", "NEXT REFRESH", "LAST REFRESH", "BY", "LAST ERROR"],
            (a, now) => [a.Name, a.Provider ?? "-", Display.State(a.State), Display.Relative(a.ExpiresAt, now), Display.Relative(a.NextRefresh, now), Display.Relative(a.LastRefresh, now), Display.Plain(a.RefreshedBy), Display.Plain(a.LastError)],
            cancellationToken));
        return command;
    }

    /// <summary>Every account as a table of <paramref name="columns"/> (or the daemon's JSON with <paramref name="json"/>).</summary>
    public static async Task<int> ShowAsync(
        ParseResult result, Option<string?> adminSocket, Option<bool> json, string[] columns, Func<AccountStatus, DateTimeOffset, string[]> row, CancellationToken cancellationToken)
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
            await output.WriteLineAsync("no accounts; add one with: tokenbroker account add NAME --provider google|microsoft|generic --username ADDRESS --client-id ID").ConfigureAwait(false);
        }
        else
        {
            await Display.TableAsync(output, columns, report.Accounts.Select(a => row(a, report.Now))).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
