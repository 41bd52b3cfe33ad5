using System.Net.Sockets;
using TokenBroker.Core.Grants;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.Daemon.Tests.Refresh;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Reliability;

/// <summary>
/// The provider unreachable by name (DNS) or with a certificate that fails (TLS) for 30 minutes, over
/// HTTPS: the old token is served while valid, never after, and the account recovers without consent.
/// </summary>
public sealed class ProviderFaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dns")]
    [InlineData("tls")]
    public async Task A_30_minute_fault_keeps_the_valid_token_never_serves_an_expired_one_and_recovers(string fault)
    {
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { Https = true });
        var faulty = false;
        var handler = server.ClientHandler();
        // A new connection for every request, so the fault meets every one (a pooled connection would outlive it).
        handler.PooledConnectionLifetime = TimeSpan.Zero;
        var trusted = handler.SslOptions.RemoteCertificateValidationCallback!;
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            if (faulty && fault == "dns")
            {
                // What the resolver gives for a name it cannot find.
                throw new SocketException((int)SocketError.HostNotFound);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            !(faulty && fault == "tls") && trusted(sender, certificate, chain, errors);
        await using var daemon = await InProcessDaemon.StartAsync(providerHandler: handler);
        var run = await FaultRun.JustBeforeTheRefreshAsync(daemon, server);

        faulty = true;
        await run.AdvanceAsync(TimeSpan.FromMinutes(30));
        faulty = false;
        await run.EndFaultAsync();

        var recovery = run.AssertRodeOut();
        Assert.Equal(GrantState.Active, (await daemon.Store.FindAsync(run.Consented.Account.Name, CancellationToken.None))!.Grant.State);
        Assert.Contains("network", daemon.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain("needs consent", daemon.LogText, StringComparison.Ordinal);
        Assert.Empty(server.Issued.FoundIn(daemon.LogText));
        ReliabilityReport.Write(output, $"provider unreachable: {(fault == "dns" ? "name resolution fails" : "certificate fails")}", $"30 minutes, {run.Answers.Count} lookups",
            $"valid token served, no expired one; recovered {recovery.TotalMinutes:0.#} min after the fault");
    }
}
