using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary>Talks HTTP/JSON to tokenbrokerd over its admin unix socket; the CLI never opens the store.</summary>
internal sealed class AdminClient : IDisposable
{
    public const string DefaultSocket = "/run/tokenbroker/admin.sock";
    public const string SocketVariable = "TOKENBROKER_ADMIN_SOCKET";

    private readonly HttpClient _http;

    public AdminClient(string socket)
    {
        Socket = socket;
#pragma warning disable CA2000 // The HttpClient owns and disposes the handler.
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var connection = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(connection, ownsSocket: true);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            },
        };
#pragma warning restore CA2000
        _http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = new Uri("http://localhost/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string Socket { get; }

    /// <summary>The socket to use: the option, else <c>$TOKENBROKER_ADMIN_SOCKET</c>, else the system one if present, else <c>./var/admin.sock</c>.</summary>
    public static string Resolve(string? option) =>
        option
        ?? (Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null)
        ?? (File.Exists(DefaultSocket) ? DefaultSocket : Path.GetFullPath(Path.Combine("var", "admin.sock")));

    public Task<ConsentStarted> StartConsentAsync(string account, bool device, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{AccountPath(account)}/consent{(device ? "?mode=device" : string.Empty)}", null, AdminJson.Default.ConsentStarted, cancellationToken);

    public Task<ConsentFinished> WaitAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"v1/consents/{Uri.EscapeDataString(id)}", null, AdminJson.Default.ConsentFinished, cancellationToken);

    public Task<ConsentFinished> PasteAsync(string url, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/consents/callback", JsonContent.Create(new PastedCallback(url), AdminJson.Default.PastedCallback), AdminJson.Default.ConsentFinished, cancellationToken);

    public Task<CurrentToken> TokenAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"{AccountPath(account)}/token", null, AdminJson.Default.CurrentToken, cancellationToken);

    public Task<PostfixSetup> PostfixAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "v1/postfix", null, AdminJson.Default.PostfixSetup, cancellationToken);

    public Task<ReloadOutcome> ReloadAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/reload", null, AdminJson.Default.ReloadOutcome, cancellationToken);

    public Task<KeyChange> RekeyAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/rekey", null, AdminJson.Default.KeyChange, cancellationToken);

    public Task<DoctorReport> DoctorAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "v1/doctor", null, AdminJson.Default.DoctorReport, cancellationToken);

    public Task<StatusReport> AccountsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "v1/accounts", null, AdminJson.Default.StatusReport, cancellationToken);

    public Task<AccountDetails> AccountAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, AccountPath(account), null, AdminJson.Default.AccountDetails, cancellationToken);

    public Task<AccountDetails> AddAccountAsync(string account, AccountSpec spec, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, AccountPath(account), JsonContent.Create(spec, AdminJson.Default.AccountSpec), AdminJson.Default.AccountDetails, cancellationToken);

    public Task<AccountRemoved> RemoveAccountAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, AccountPath(account), null, AdminJson.Default.AccountRemoved, cancellationToken);

    public Task<AccountDetails> RefreshAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"{AccountPath(account)}/refresh", null, AdminJson.Default.AccountDetails, cancellationToken);

    /// <summary>A sealed backup of every account, and the accounts left out because they cannot be read.</summary>
    public async Task<(byte[] Backup, string? Skipped)> BackupAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/backup");
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        var skipped = response.Headers.TryGetValues("X-TokenBroker-Skipped", out var names) ? string.Join(' ', names) : null;
        return (await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), skipped);
    }

    /// <summary>Replaces every account with those in <paramref name="backup"/>, opened with the daemon's key or <paramref name="keyFileContent"/>.</summary>
    public async Task<StatusReport> RestoreAsync(byte[] backup, byte[]? keyFileContent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/restore") { Content = new ByteArrayContent(backup) };
        if (keyFileContent is not null)
        {
            request.Headers.Add("X-TokenBroker-Backup-Key", Convert.ToBase64String(keyFileContent));
        }

        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(AdminJson.Default.StatusReport, cancellationToken).ConfigureAwait(false)
            ?? throw new CliException(ExitCodes.Failure, "tokenbrokerd sent an empty answer");
    }

    public void Dispose() => _http.Dispose();

    private static string AccountPath(string account) => $"v1/accounts/{Uri.EscapeDataString(account)}";

    private static async Task<AdminError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(AdminJson.Default.AdminError, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not one of our answers (an older daemon, or something else on the socket): report the status.
            return null;
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
            ?? throw new CliException(ExitCodes.Failure, "tokenbrokerd sent an empty answer");
    }

    /// <summary>Sends a request; a failure becomes a <see cref="CliException"/> with the contract's exit code.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AccessDenied })
        {
            throw new CliException(ExitCodes.NoPermission, $"permission denied on tokenbrokerd's admin socket {Socket}; run as a member of its group (TokenBroker:Admin:SocketGroup)");
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Temporary, $"cannot reach tokenbrokerd at {Socket} ({ex.InnerException?.Message ?? ex.Message}); is it running? (set --admin-socket or {SocketVariable})");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            var exitCode = error?.Error switch
            {
                "unknown_account" or "needs_consent" => ExitCodes.Unavailable,
                "bad_request" => ExitCodes.Usage,
                "forbidden" => ExitCodes.NoPermission,
                _ => error?.Transient == true ? ExitCodes.Temporary : ExitCodes.Failure,
            };
            throw new CliException(exitCode, error?.Message ?? $"tokenbrokerd answered {(int)response.StatusCode}");
        }
    }
}
