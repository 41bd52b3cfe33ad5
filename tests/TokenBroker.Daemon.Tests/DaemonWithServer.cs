using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests;

/// <summary>For each test, a test authorization server and an in-process daemon, both stopped after it.</summary>
public abstract class DaemonWithServer : IAsyncLifetime
{
    protected AuthServer Server { get; private set; } = null!;

    protected InProcessDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await AuthServer.StartAsync();
        Daemon = await InProcessDaemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Server.DisposeAsync();
    }
}
