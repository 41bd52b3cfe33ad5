using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Postfix;

/// <summary>
/// Serves Postfix's socketmap client on one connection: any number of netstring requests, answered
/// in order, each one in full before the next is read (Postfix keeps one request in flight).
/// A malformed or oversized request is answered with <c>PERM</c> and ends the connection; a
/// connection over the limit (or its user's), idle too long or sending a request too slowly is closed. Nothing one
/// client sends affects another.
/// </summary>
public sealed class SocketmapConnectionHandler(
    ISocketmapTable table, SocketmapLimits limits, SocketmapMetrics metrics, TimeProvider time, ILogger<SocketmapConnectionHandler> logger)
    : ConnectionHandler
{
    /// <summary>The key under which all peers on the TCP port are counted.</summary>
    private const long TcpPeers = -1;

    private readonly ConcurrentDictionary<long, int> _perUser = new();
    private int _connections;

    /// <summary>Connections being served now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var peer = Peer(connection);
        var counted = false;
        try
        {
            if (Interlocked.Increment(ref _connections) > limits.MaxConnections)
            {
                SocketmapLog.TooManyConnections(logger, limits.MaxConnections);
                return;
            }

            counted = true;
            if (_perUser.AddOrUpdate(peer, 1, (_, held) => held + 1) > limits.MaxConnectionsPerUser)
            {
                SocketmapLog.TooManyConnectionsOfUser(logger, peer == TcpPeers ? "the TCP port's peers" : $"user {peer}", limits.MaxConnectionsPerUser);
                return;
            }

            await ServeAsync(connection.Transport, connection.ConnectionClosed).ConfigureAwait(false);
        }
        finally
        {
            if (counted)
            {
                _perUser.AddOrUpdate(peer, 0, (_, held) => held - 1);
            }

            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>The peer's user id on the unix socket; <see cref="TcpPeers"/> for everyone else.</summary>
    private static long Peer(ConnectionContext connection) =>
        connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket && PeerCredentials.Of(socket) is var (_, uid, _) ? uid : TcpPeers;

    private async Task ServeAsync(IDuplexPipe transport, CancellationToken closed)
    {
        using var deadline = new CancellationTokenSource(limits.IdleTimeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, closed);
        var partial = false;
        try
        {
            while (true)
            {
                var read = await transport.Input.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                var answered = 0;
                NetstringStatus status;
                while ((status = Next(ref buffer, out var request, out var problem)) != NetstringStatus.Incomplete)
                {
                    var reply = request is null ? Refuse(problem!) : await LookupAsync(request, stop.Token).ConfigureAwait(false);
                    reply.WriteTo(transport.Output);
                    answered++;
                    if (status == NetstringStatus.Malformed)
                    {
                        // The framing is lost: nothing after this point can be read as a request.
                        await transport.Output.FlushAsync(stop.Token).ConfigureAwait(false);
                        return;
                    }
                }

                // The idle clock runs between requests, the request clock from a request's first byte;
                // either is set before the replies go out.
                var wasPartial = partial;
                partial = !buffer.IsEmpty;
                if (answered > 0 || partial != wasPartial)
                {
                    deadline.CancelAfter(partial ? limits.RequestTimeout : limits.IdleTimeout);
                }

                transport.Input.AdvanceTo(buffer.Start, buffer.End);
                if (answered > 0)
                {
                    await transport.Output.FlushAsync(stop.Token).ConfigureAwait(false);
                }

                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            SocketmapLog.TimedOut(logger, partial ? "a request arrived too slowly" : "the connection was idle too long");
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            // The client went away mid-lookup.
        }
        catch (ConnectionResetException)
        {
            // The client went away; nothing to answer.
        }
    }

    /// <summary>Cuts the next request off <paramref name="buffer"/>; a request that is framed but not valid comes back as a problem.</summary>
    private static NetstringStatus Next(ref ReadOnlySequence<byte> buffer, out SocketmapRequest? request, out string? problem)
    {
        request = null;
        var status = Netstring.TryRead(ref buffer, SocketmapLimits.MaxRequestBytes, out var payload, out problem);
        if (status == NetstringStatus.Complete)
        {
            request = SocketmapRequest.Parse(payload, out problem);
        }

        return status;
    }

    private SocketmapReply Refuse(string problem)
    {
        SocketmapLog.BadRequest(logger, problem);
        metrics.Lookups.Add(1, new KeyValuePair<string, object?>("result", "PERM"));
        return SocketmapReply.Perm(problem);
    }

    private async ValueTask<SocketmapReply> LookupAsync(SocketmapRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        SocketmapReply reply;
        try
        {
            reply = await table.LookupAsync(request, cancellationToken).ConfigureAwait(false);
            SocketmapLog.Answered(logger, request.Map, request.Key, reply.Status);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SocketmapLog.LookupFailed(logger, ex, request.Map, request.Key);
            reply = SocketmapReply.Temp("internal error in the token broker; see its log");
        }

        metrics.Duration.Record(time.GetElapsedTime(started).TotalSeconds);
        metrics.Lookups.Add(1, new KeyValuePair<string, object?>("result", SocketmapMetrics.Result(reply.Status)));
        return reply;
    }
}
