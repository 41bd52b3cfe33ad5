using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Admin;
using TokenBroker.Daemon.Admin;

namespace TokenBroker.Daemon.Tests.Admin;

/// <summary>The daemon's clock against its provider's <c>Date</c>: the test daemon's fake clock starts days behind the real one.</summary>
public sealed class DoctorChecksTests : DaemonWithServer
{
    [Fact]
    public async Task A_clock_days_behind_the_provider_fails_and_one_set_right_passes()
    {
        await Daemon.AddAccountAsync(Server);
        var doctor = Daemon.App.Services.GetRequiredService<DoctorChecks>();

        var behind = (await doctor.RunAsync(CancellationToken.None)).Findings.Single(f => f.Check == "clock");
        Daemon.Clock.SetUtcNow(TimeProvider.System.GetUtcNow());
        var right = (await doctor.RunAsync(CancellationToken.None)).Findings.Single(f => f.Check == "clock");

        Assert.Equal(Finding.Fail, behind.Status);
        Assert.StartsWith("behind 127.0.0.1 by ", behind.Detail, StringComparison.Ordinal);
        Assert.Equal("synchronise the clock (systemd-timesyncd or chrony)", behind.Fix);
        Assert.Equal(Finding.Ok, right.Status);
    }

    [Fact]
    public async Task Without_accounts_there_is_no_provider_to_compare_with()
    {
        var report = await Daemon.App.Services.GetRequiredService<DoctorChecks>().RunAsync(CancellationToken.None);

        Assert.Equal(Finding.Warn, report.Findings.Single(f => f.Check == "clock").Status);
    }
}
