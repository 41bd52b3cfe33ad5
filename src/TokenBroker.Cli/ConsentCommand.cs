using System.CommandLine;
using System.Diagnostics;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary><c>tokenbroker consent NAME [--no-browser|--paste|--device]</c>: gives the daemon a grant for an account.</summary>
internal static class ConsentCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var name = new Argument<string>("NAME") { Description = "The account" };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Print the authorization URL (first line of stdout) and the ssh -L command, then wait" };
        var paste = new Option<bool>("--paste") { Description = "Print the URL, then read the browser's final URL from stdin" };
        var device = new Option<bool>("--device") { Description = "Sign in on another device with a code (where the provider allows it)" };
        var command = new Command("consent", "Sign in to an account's provider once so the daemon holds its grant") { name, noBrowser, paste, device };
        command.Validators.Add(result =>
        {
            if (new[] { noBrowser, paste, device }.Count(option => result.GetValue(option)) > 1)
            {
                result.AddError("--no-browser, --paste and --device exclude each other");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var output = result.InvocationConfiguration.Output;
            var account = result.GetValue(name)!;
            if (result.GetValue(device))
            {
                return await DeviceAsync(client, account, output, cancellationToken).ConfigureAwait(false);
            }

            var started = await client.StartConsentAsync(account, device: false, cancellationToken).ConfigureAwait(false);
            var url = started.AuthorizationUri!.AbsoluteUri;
            if (!result.GetValue(noBrowser) && !result.GetValue(paste) && TryOpenBrowser(url))
            {
                await output.WriteLineAsync($"Opened a browser for account {account}. If none appeared, open:\n{url}").ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(url).ConfigureAwait(false);
                await output.WriteLineAsync(SshHint(started)).ConfigureAwait(false);
            }

            if (result.GetValue(paste))
            {
                await Console.Error.WriteLineAsync("Open the URL, sign in, then paste the address the browser ends on (it starts with http://127.0.0.1:...):").ConfigureAwait(false);
                var pasted = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new CliException(ExitCodes.Usage, "no URL was pasted");
                return await ReportAsync(await client.PasteAsync(pasted, cancellationToken).ConfigureAwait(false), output).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Waiting for the browser (until {started.ExpiresAt:HH:mm} UTC)...").ConfigureAwait(false);
            return await ReportAsync(await client.WaitAsync(started.Id, cancellationToken).ConfigureAwait(false), output).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> DeviceAsync(AdminClient client, string account, TextWriter output, CancellationToken cancellationToken)
    {
        var started = await client.StartConsentAsync(account, device: true, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"On any device, open {started.VerificationUri} and enter the code {started.UserCode} (valid until {started.ExpiresAt:HH:mm} UTC).").ConfigureAwait(false);
        await output.WriteLineAsync("Waiting for approval...").ConfigureAwait(false);
        return await ReportAsync(await client.WaitAsync(started.Id, cancellationToken).ConfigureAwait(false), output).ConfigureAwait(false);
    }

    private static async Task<int> ReportAsync(ConsentFinished finished, TextWriter output)
    {
        if (finished.Stored)
        {
            await output.WriteLineAsync(finished.Message).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        throw new CliException(finished.Transient ? ExitCodes.Temporary : ExitCodes.Failure, finished.Message);
    }

    /// <summary>The port forward that lets a browser on another machine reach this machine's loopback callback.</summary>
    private static string SshHint(ConsentStarted started)
    {
        var port = started.RedirectUri?.Port ?? 0;
        return $"From a machine with a browser, forward the callback port first: ssh -L {port}:127.0.0.1:{port} {Environment.UserName}@{Environment.MachineName}";
    }

    private static bool TryOpenBrowser(string url)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
        {
            return false;
        }

        try
        {
            using var opener = Process.Start(new ProcessStartInfo("xdg-open") { ArgumentList = { url }, UseShellExecute = false });
            return opener is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No xdg-open on this machine: fall back to printing the URL.
            return false;
        }
    }
}
