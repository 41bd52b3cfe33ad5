using System.CommandLine;
using System.Runtime.InteropServices;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary>
/// <c>tokenbroker doctor [--json]</c>: the daemon's own checks (file and socket modes, Postfix's
/// reach, clock, accounts) plus what the CLI can see (the daemon reachable, Postfix's settings, the
/// SASL plugin loadable), each problem with its fix. Exit 1 when anything failed.
/// </summary>
internal static class DoctorCommand
{
    private const string Plugin = "libtokenbroker-oauth2.so";
    private static readonly string[] PluginDirectories = ["/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/aarch64-linux-gnu/sasl2", "/usr/lib/sasl2", "/usr/local/lib/sasl2"];

    public static Command Create(Option<string?> adminSocket)
    {
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON" };
        var command = new Command("doctor", "Check the daemon, its files and sockets, Postfix, the SASL plugin and every account; say how to fix what is wrong") { json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var findings = new List<Finding>();
            var socket = AdminClient.Resolve(result.GetValue(adminSocket));
            using (var client = new AdminClient(socket))
            {
                try
                {
                    var report = await client.DoctorAsync(cancellationToken).ConfigureAwait(false);
                    findings.Add(new Finding("daemon", Finding.Ok, $"answers on {socket}"));
                    findings.AddRange(report.Findings);
                    findings.Add(await PostfixSettingsAsync(await client.PostfixAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false));
                }
                catch (CliException ex)
                {
                    findings.Add(new Finding("daemon", Finding.Fail, ex.Message, "start it (systemctl start tokenbroker), or name its socket with --admin-socket"));
                }
            }

            findings.Add(SaslPlugin(Environment.GetEnvironmentVariable("SASL_PATH")));
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                await Display.JsonAsync(output, new DoctorReport(findings), AdminJson.Default.DoctorReport).ConfigureAwait(false);
            }
            else
            {
                foreach (var finding in findings)
                {
                    await output.WriteLineAsync(Line(finding)).ConfigureAwait(false);
                }
            }

            return findings.Any(f => f.Status == Finding.Fail) ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    private static string Line(Finding finding)
    {
        var mark = finding.Status switch
        {
            Finding.Ok => Display.Colour ? "\e[32m[ ok ]\e[0m" : "[ ok ]",
            Finding.Warn => Display.Colour ? "\e[33m[warn]\e[0m" : "[warn]",
            _ => Display.Colour ? "\e[31m[FAIL]\e[0m" : "[FAIL]",
        };
        var line = $"{mark} {finding.Check}: {Display.Plain(finding.Detail)}";
        return finding.Fix is null ? line : $"{line}; fix: {finding.Fix}";
    }

    /// <summary>Whether the installed Postfix has the settings <c>postfix-config</c> prints.</summary>
    private static async Task<Finding> PostfixSettingsAsync(PostfixSetup setup, CancellationToken cancellationToken)
    {
        const string Check = "postfix settings";
        if (setup.Socket is null || setup.Accounts.Count == 0)
        {
            return new Finding(Check, Finding.Warn, setup.Socket is null ? "the daemon's Postfix lookup service is off" : "no accounts yet, so nothing for Postfix to use");
        }

        if (!File.Exists(Postfix.Postconf))
        {
            return new Finding(Check, Finding.Warn, "Postfix is not installed on this machine");
        }

        var settings = PostfixSettings.For(setup, setup.Accounts);
        var current = await Postfix.ReadAsync(Postfix.Postconf, null, [.. settings.Values.Select(v => v.Name)], cancellationToken).ConfigureAwait(false);
        var differing = settings.Values.Count(v => current?.GetValueOrDefault(v.Name) != v.Value);
        return differing == 0
            ? new Finding(Check, Finding.Ok, "main.cf asks the broker for every account")
            : new Finding(Check, Finding.Warn, $"{differing} of {settings.Values.Count} settings differ from what the broker serves", "tokenbroker postfix-config shows the lines; add them to main.cf and run postfix reload");
    }

    /// <summary>The project's Cyrus SASL plugin where Postfix (or <c>$SASL_PATH</c>) looks for it, loaded to prove it is whole.</summary>
    private static Finding SaslPlugin(string? saslPath)
    {
        const string Check = "sasl plugin";
        var directories = saslPath is { Length: > 0 } ? saslPath.Split(':', StringSplitOptions.RemoveEmptyEntries) : PluginDirectories;
        var path = directories.Select(d => Path.Combine(d, Plugin)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return new Finding(Check, Finding.Warn, $"{Plugin} is not in {string.Join(" or ", directories)}; Postfix and mbsync need it for XOAUTH2/OAUTHBEARER", "make -C contrib/sasl-xoauth2 && make -C contrib/sasl-xoauth2 install");
        }

        if (!NativeLibrary.TryLoad(path, out var library))
        {
            return new Finding(Check, Finding.Fail, $"{path} does not load", "rebuild and reinstall it: make -C contrib/sasl-xoauth2 install");
        }

        var whole = NativeLibrary.TryGetExport(library, "sasl_client_plug_init", out _);
        NativeLibrary.Free(library);
        return whole
            ? new Finding(Check, Finding.Ok, $"{path} loads")
            : new Finding(Check, Finding.Fail, $"{path} is not a SASL client plugin (no sasl_client_plug_init)", "reinstall it: make -C contrib/sasl-xoauth2 install");
    }
}
