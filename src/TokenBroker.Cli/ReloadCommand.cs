using System.CommandLine;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker reload</c>: the daemon reads its configuration again (as on SIGHUP), keeping tokens and connections.</summary>
internal static class ReloadCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var command = new Command("reload", "Make the daemon read its configuration again; a configuration with a problem is refused and the running one kept");
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var outcome = await client.ReloadAsync(cancellationToken).ConfigureAwait(false);
            await result.InvocationConfiguration.Output.WriteLineAsync(outcome.Message).ConfigureAwait(false);
            if (outcome.AtNextStart.Count > 0)
            {
                await result.InvocationConfiguration.Output.WriteLineAsync(
                    $"changed, applied at the next start (systemctl restart tokenbroker): {string.Join(", ", outcome.AtNextStart)}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
