using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.Postfix;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Reliability;

/// <summary>Thousands of connections on the Postfix socket, idle or hostile, while Postfix's own lookups go on.</summary>
public sealed class ConnectionFloodTests(ITestOutputHelper output)
{
    private const int Idle = 4_500;
    private const int Hostile = 500;

    [Fact]
    public async Task Five_thousand_idle_and_hostile_connections_do_not_stop_well_formed_lookups()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:Postfix:MaxConnections"] = "6000", ["TokenBroker:Postfix:MaxConnectionsPerUser"] = "6000" });
        var entry = await daemon.ConsentAsync(server);
        var expected = $"OK {AuthServer.User}:{entry.Grant.AccessToken!.Reveal()}";
        using var postfix = await SocketmapClient.ConnectAsync(daemon.PostfixSocket);

        var idle = new List<SocketmapClient>(Idle);
        var hostile = new List<SocketmapClient>(Hostile);
        try
        {
            for (var i = 0; i < Idle; i++)
            {
                idle.Add(await SocketmapClient.ConnectWhenAcceptedAsync(daemon.PostfixSocket));
                if (i % 500 == 0)
                {
                    Assert.Equal(expected, await postfix.AskAsync("sasl", AuthServer.User));
                }
            }

            // Half-sent requests (slowloris), absurd length prefixes and keys that are not UTF-8, all at once.
            for (var i = 0; i < Hostile; i++)
            {
                var client = await SocketmapClient.ConnectWhenAcceptedAsync(daemon.PostfixSocket);
                hostile.Add(client);
                await client.SendAsync((i % 3) switch
                {
                    0 => Encoding.ASCII.GetBytes("23:sasl alice"),
                    1 => Encoding.ASCII.GetBytes("99999999999:"),
                    _ => [.. Encoding.ASCII.GetBytes("7:sasl "), 0xff, 0xfe, (byte)','],
                });
            }

            // Every connection accepted (the listen backlog drains), then Postfix's lookups among them.
            var handler = daemon.App.Services.GetRequiredService<SocketmapConnectionHandler>();
            await Refresh.Scheduling.WaitForAsync(() => handler.Connections > Idle);
            var answers = new List<string>();
            for (var i = 0; i < 200; i++)
            {
                answers.Add(await postfix.AskAsync("sasl", AuthServer.User));
            }

            Assert.InRange(handler.Connections, Idle + 1, Idle + Hostile + 1);
            Assert.All(answers, answer => Assert.Equal(expected, answer));
        }
        finally
        {
            idle.Concat(hostile).ToList().ForEach(c => c.Dispose());
        }

        await Refresh.Scheduling.WaitForAsync(() => daemon.App.Services.GetRequiredService<SocketmapConnectionHandler>().Connections == 1);
        Assert.Equal(expected, await postfix.AskAsync("sasl", AuthServer.User));
        ReliabilityReport.Write(output, "connection flood on the Postfix socket", $"{Idle:N0} idle and {Hostile} hostile connections, 200 lookups among them", "every lookup answered with the current token");
    }
}
