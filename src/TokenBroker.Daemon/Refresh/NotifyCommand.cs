using System.Diagnostics;
using TokenBroker.Core.Accounts;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Runs the configured notify command when an account comes to need consent.
/// No shell: the configured words are the argument vector. A command that fails, hangs past its
/// time limit or cannot start is logged, and never stops the scheduler.
/// </summary>
internal sealed class NotifyCommand(IOptionsMonitor<RefreshOptions> options, TimeProvider time, ILogger<NotifyCommand> logger)
{
    /// <summary>Runs the command for <paramref name="account"/>, if one is configured.</summary>
    public async Task RunAsync(AccountName account, string reason)
    {
        var command = options.CurrentValue.NotifyCommand;
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
        start.Environment["TOKENBROKER_STATE"] = "needs-consent";
        start.Environment["TOKENBROKER_REASON"] = reason;
        using var limit = new CancellationTokenSource(options.CurrentValue.NotifyTimeout, time);
        Process? process = null;
        try
        {
            process = Process.Start(start)!;
            process.StandardInput.Close();

            // Both pipes are drained within the time limit: a command that leaves a child behind
            // holding them open must not keep this task (and the process handle) forever.
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            await Task.WhenAll(output, errors).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                RefreshLog.NotifyFailed(logger, account.Value, $"exit code {process.ExitCode}: {FirstLine(errors.Result)}");
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            process?.Kill(entireProcessTree: true);
            RefreshLog.NotifyTimedOut(logger, account.Value, options.CurrentValue.NotifyTimeout);
        }
        catch (Exception ex)
        {
            // Whatever went wrong is logged here: nobody awaits this task.
            RefreshLog.NotifyFailed(logger, account.Value, $"{command[0]} could not be run ({ex.GetType().Name}: {ex.Message})");
        }
        finally
        {
            process?.Dispose();
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : "(no error output)";
}
