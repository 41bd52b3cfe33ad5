using System.Runtime.InteropServices;

namespace TokenBroker.Daemon;

/// <summary>SIGHUP (systemd's <c>ExecReload=kill -HUP $MAINPID</c>) reloads the configuration instead of ending the daemon.</summary>
internal sealed class ReloadOnHangup(ConfigurationReload reload, ILogger<ReloadOnHangup> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Posix.UnignoreHangup())
        {
            DaemonLog.HangupWasIgnored(logger);
        }

        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = ReloadAsync();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _registration?.Dispose();

    private async Task ReloadAsync()
    {
        try
        {
            await reload.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A store that fails while declared accounts are written: logged, and the daemon goes on.
            DaemonLog.ReloadRefused(logger, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
