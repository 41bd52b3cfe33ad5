using System.ComponentModel;
using System.Diagnostics;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Runs the configured notify command when an account comes to need consent.
/// No shell: the configured words are the argument vector. A command that fails, hangs past its
/// time limit or cannot start is logged, and never stops the scheduler.
/// </summary>
internal sealed class NotifyCommand(IOptions<RefreshOptions> options, TimeProvider time, ILogger<NotifyCommand> logger)
{
    /// <summary>Runs the command for <paramref name="account"/>, if one is configured.</summary>
    public async Task RunAsync(AccountName account, GrantState state, string reason)
    {
        var command = options.Value.NotifyCommand;
        if (command.Count == 0)
        {
            return;
        }

        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TOKENBROKER_ACCOUNT"] = account.Value;
        start.Environment["TOKENBROKER_STATE"] = StateName(state);
        start.Environment["TOKENBROKER_REASON"] = reason;
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(options.Value.NotifyTimeout, time);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                RefreshLog.NotifyTimedOut(logger, account.Value, options.Value.NotifyTimeout);
                return;
            }

            await Task.WhenAll(output, errors).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                RefreshLog.NotifyFailed(logger, account.Value, $"exit code {process.ExitCode}: {FirstLine(errors.Result)}");
            }
        }
        catch (Exception ex) when (ex is Win32Exception or IOException or InvalidOperationException)
        {
            RefreshLog.NotifyFailed(logger, account.Value, $"{command[0]} could not be started ({ex.Message})");
        }
    }

    /// <summary>The state as the notify command sees it: <c>needs-consent</c>, <c>active</c> or <c>failing</c>.</summary>
    public static string StateName(GrantState state) => state switch
    {
        GrantState.NeedsConsent => "needs-consent",
        GrantState.Failing => "failing",
        _ => "active",
    };

    private static string FirstLine(string text) =>
        text.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : "(no error output)";
}
