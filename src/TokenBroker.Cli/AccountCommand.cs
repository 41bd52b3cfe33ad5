using System.CommandLine;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker account add|list|show|remove</c>: the accounts the daemon keeps tokens for.</summary>
internal static class AccountCommand
{
    public static Command Create(Option<string?> adminSocket) => new("account", "Add, list, show and remove accounts")
    {
        AccountAddCommand.Create(adminSocket),
        List(adminSocket),
        Show(adminSocket),
        Remove(adminSocket),
    };

    private static Command List(Option<string?> adminSocket)
    {
        var json = new Option<bool>("--json") { Description = "Print the daemon's answer as JSON" };
        var command = new Command("list", "List the accounts: name, provider, user name, state") { json };
        command.SetAction((result, cancellationToken) => StatusCommand.ShowAsync(
            result,
            adminSocket,
            json,
            ["ACCOUNT", "PROVIDER", "USERNAME", "STATE"],
            (a, _) => [a.Name, a.Provider ?? "-", a.Username ?? "-", Display.State(a.State)],
            cancellationToken));
        return command;
    }

    private static Command Show(Option<string?> adminSocket)
    {
        var name = new Argument<string>("NAME") { Description = "The account" };
        var json = new Option<bool>("--json") { Description = "Print the daemon's answer as JSON" };
        var command = new Command("show", "Show one account's settings and state (never a secret)") { name, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var details = await client.AccountAsync(result.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                await Display.JsonAsync(output, details, AdminJson.Default.AccountDetails).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var (status, now, settings) = (details.Status, details.Now, details.Settings);
            var file = settings.TokenFile;
            var lines = new (string Key, string? Value)[]
            {
                ("account", status.Name),
                ("provider", status.Provider),
                ("username", status.Username),
                ("state", Display.State(status.State)),
                ("token expires", Display.Relative(status.ExpiresAt, now)),
                ("next refresh", Display.Relative(status.NextRefresh, now)),
                ("last refresh", Display.Relative(status.LastRefresh, now)),
                ("last error", status.LastError is null ? null : Display.Plain(status.LastError)),
                ("client id", settings.ClientId),
                ("client secret", details.HasClientSecret ? "stored (sealed)" : "none (public client)"),
                ("tenant", settings.Tenant),
                ("issuer", settings.Issuer?.AbsoluteUri),
                ("authorize url", settings.AuthorizeUrl?.AbsoluteUri),
                ("token url", settings.TokenUrl?.AbsoluteUri),
                ("device url", settings.DeviceUrl?.AbsoluteUri),
                ("scopes", string.Join(' ', settings.Scopes)),
                ("postfix keys", string.Join(' ', details.PostfixKeys)),
                ("token file", file is null ? null : $"{file.Path} (mode {file.Mode}, owner {file.Owner ?? "the daemon's user"}, group {file.Group ?? "the daemon's group"})"),
            };
            foreach (var (key, value) in lines.Where(l => !string.IsNullOrEmpty(l.Value)))
            {
                await output.WriteLineAsync($"{key + ":",-15} {value}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(Option<string?> adminSocket)
    {
        var name = new Argument<string>("NAME") { Description = "The account" };
        var command = new Command("remove", "Remove an account and its grant, revoking the grant at the provider when it can") { name };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var removed = await client.RemoveAccountAsync(result.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            await result.InvocationConfiguration.Output.WriteLineAsync($"removed account {removed.Name}; {removed.Message}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
