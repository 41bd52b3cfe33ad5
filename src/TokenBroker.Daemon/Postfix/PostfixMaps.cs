using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Postfix;

namespace TokenBroker.Daemon.Postfix;

/// <summary>
/// The two maps Postfix asks: <c>sasl</c> (<c>smtp_sasl_password_maps</c>, answered <c>user:token</c>)
/// and <c>relay</c> (<c>sender_dependent_relayhost_maps</c>, answered with the account's next-hop).
/// A key no account claims is NOTFOUND; a claimed key without a usable token is TEMP, so Postfix
/// defers the mail instead of sending it without AUTH and bouncing it.
/// </summary>
internal sealed class PostfixMaps(ClaimIndex claims, TokenLookup tokens, IOptions<PostfixOptions> options) : ISocketmapTable
{
    public async ValueTask<SocketmapReply> LookupAsync(SocketmapRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var isSasl = request.Map == settings.MapName;
        if (!isSasl && request.Map != settings.RelayMapName)
        {
            return SocketmapReply.Perm($"no map named {request.Map} here; this socket serves {settings.MapName} and {settings.RelayMapName}");
        }

        var claim = await claims.FindAsync(request.Key, cancellationToken).ConfigureAwait(false);
        if (claim is null)
        {
            return SocketmapReply.NotFound;
        }

        if (claim.Account is not { } account)
        {
            return SocketmapReply.Temp($"accounts {string.Join(", ", claim.Claimants)} all claim this key; give one of them a --match key");
        }

        if (!isSasl)
        {
            return claim.RelayHost is { } relay ? SocketmapReply.Ok(relay) : SocketmapReply.NotFound;
        }

        try
        {
            var answer = await tokens.GetAsync(account, cancellationToken).ConfigureAwait(false);
            return answer.Kind switch
            {
                TokenAnswerKind.Token => SocketmapReply.Ok($"{answer.Username}:{answer.Token!.Reveal()}"),
                TokenAnswerKind.Unknown => SocketmapReply.NotFound,
                _ => SocketmapReply.Temp(answer.Reason!),
            };
        }
        catch (AccountUnreadableException ex)
        {
            return SocketmapReply.Temp(ex.Message);
        }
    }
}
