using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace TokenBroker.TestUtils;

/// <summary>A socketmap client that talks the way Postfix does: one netstring request, then its reply, on a connection kept open.</summary>
public sealed class SocketmapClient : IDisposable
{
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;
    private byte[] _buffer = new byte[4 * 1024];
    private int _filled;

    private SocketmapClient(Socket socket) => _socket = socket;

    /// <summary>Connects to a unix socket.</summary>
    public static async Task<SocketmapClient> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new SocketmapClient(socket);
    }

    /// <summary>
    /// Connects to a unix socket, trying again while its listen backlog is full (the kernel then says
    /// EAGAIN, and the server has yet to accept the connections before it): every 5 ms, at most 1,000 times.
    /// </summary>
    public static async Task<SocketmapClient> ConnectWhenAcceptedAsync(string path, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new SocketmapClient(socket);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock && attempt < 1000)
            {
                socket.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Connects to a TCP port on 127.0.0.1.</summary>
    public static async Task<SocketmapClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        return new SocketmapClient(socket);
    }

    /// <summary>The netstring of <paramref name="payload"/>.</summary>
    public static byte[] Frame(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":"), .. bytes, (byte)','];
    }

    /// <summary>Sends <c>MAP KEY</c> and returns the reply's payload.</summary>
    public async Task<string> AskAsync(string map, string key)
    {
        await SendAsync(Frame($"{map} {key}"));
        return await ReplyAsync() ?? throw new IOException("the server closed the connection instead of replying");
    }

    /// <summary>Sends raw bytes.</summary>
    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>The next reply's payload, or null when the server closed the connection.</summary>
    public async Task<string?> ReplyAsync()
    {
        using var timeout = new CancellationTokenSource(ReplyWait);
        while (true)
        {
            if (TryTake(out var reply))
            {
                return reply;
            }

            if (_filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                return null;
            }

            _filled += read;
        }
    }

    /// <summary>Whether the server has closed the connection (waits up to 20 s for it to happen).</summary>
    public async Task<bool> IsClosedAsync()
    {
        try
        {
            return await ReplyAsync() is null;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private bool TryTake(out string reply)
    {
        reply = string.Empty;
        var colon = Array.IndexOf(_buffer, (byte)':', 0, _filled);
        if (colon < 0)
        {
            return false;
        }

        var length = int.Parse(Encoding.ASCII.GetString(_buffer, 0, colon), CultureInfo.InvariantCulture);
        var end = colon + 1 + length;
        if (_filled < end + 1)
        {
            return false;
        }

        Assert.Equal((byte)',', _buffer[end]);
        reply = Encoding.UTF8.GetString(_buffer, colon + 1, length);
        _buffer.AsSpan(end + 1, _filled - end - 1).CopyTo(_buffer);
        _filled -= end + 1;
        return true;
    }
}
