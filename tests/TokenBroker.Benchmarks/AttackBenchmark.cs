using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TokenBroker.TestUtils;

namespace TokenBroker.Benchmarks;

/// <summary>What the attack did while it ran.</summary>
internal sealed record AttackCounts(int Idle, long SlowCutOff, long Churned);

/// <summary>
/// Postfix-style lookups (smload, one connection) on the daemon's socket, first alone and then under
/// attack on the same socket: 4,500 idle connections, 500 clients sending a request one byte a second
/// (reconnecting when the daemon cuts them off), and 2 clients opening connection after connection
/// with an absurd length prefix.
/// </summary>
internal static class AttackBenchmark
{
    private const int Idle = 4_500;
    private const int Slow = 500;
    private const int Churners = 2;
    private const string SlowKey = "sasl bench00001@example.test";
    private static readonly byte[] SlowRequest = SocketmapClient.Frame(SlowKey);
    private static readonly byte[] AbsurdRequest = Encoding.ASCII.GetBytes("99999999999:");

    public static async Task<(LoadFigures Quiet, LoadFigures Attacked, AttackCounts Counts)> RunAsync(int seconds)
    {
        using var directory = new TempDirectory();
        var (smload, _) = await SocketmapBenchmark.BuildToolsAsync(directory);
        var limits = new JsonObject { ["MaxConnections"] = 6_000, ["MaxConnectionsPerUser"] = 6_000 };
        var (daemon, socket) = await SocketmapBenchmark.StartDaemonAsync(directory, 100, limits);
        using (daemon)
        {
            await SocketmapBenchmark.LoadAsync(smload, socket, 1, 2); // JIT warm-up, not reported
            var quiet = await SocketmapBenchmark.LoadAsync(smload, socket, 1, seconds);

            var idle = new List<SocketmapClient>(Idle);
            using var stop = new CancellationTokenSource();
            long slowCutOff = 0, churned = 0;
            try
            {
                for (var i = 0; i < Idle; i++)
                {
                    idle.Add(await SocketmapClient.ConnectWhenAcceptedAsync(socket, stop.Token));
                }

                var attackers = Enumerable.Range(0, Slow).Select(_ => Task.Run(() => SendSlowlyAsync(socket, () => Interlocked.Increment(ref slowCutOff), stop.Token)))
                    .Concat(Enumerable.Range(0, Churners).Select(_ => Task.Run(() => ChurnAsync(socket, () => Interlocked.Increment(ref churned), stop.Token))))
                    .ToList();
                await Task.Delay(TimeSpan.FromSeconds(2), TimeProvider.System);
                var attacked = await SocketmapBenchmark.LoadAsync(smload, socket, 1, seconds);
                await stop.CancelAsync();
                await Task.WhenAll(attackers);
                daemon.Terminate();
                await daemon.WaitForExitAsync(TimeSpan.FromMinutes(1));
                return (quiet, attacked, new AttackCounts(idle.Count, Interlocked.Read(ref slowCutOff), Interlocked.Read(ref churned)));
            }
            finally
            {
                idle.ForEach(s => s.Dispose());
            }
        }
    }

    /// <summary>Sends a request one byte a second, again on a new connection whenever the daemon cuts this one off.</summary>
    private static async Task SendSlowlyAsync(string path, Action cutOff, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var client = await SocketmapClient.ConnectWhenAcceptedAsync(path, stop);
                foreach (var b in SlowRequest)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, stop);
                    await client.SendAsync([b]);
                }
            }
            catch (SocketException)
            {
                cutOff();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Opens a connection, sends a length prefix no request can have, reads the refusal until the daemon closes, and starts over.</summary>
    private static async Task ChurnAsync(string path, Action churned, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var client = await SocketmapClient.ConnectWhenAcceptedAsync(path, stop);
                await client.SendAsync(AbsurdRequest);
                while (await client.ReplyAsync() is not null)
                {
                }

                churned();
            }
            catch (SocketException)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
