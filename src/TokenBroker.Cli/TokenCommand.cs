using System.CommandLine;
using TokenBroker.Core.Sasl;

namespace TokenBroker.Cli;

/// <summary>
/// <c>tokenbroker token NAME [--format raw|xoauth2|oauthbearer] [--host H --port P]</c>: prints the
/// account's current access token (or a ready SASL string) and nothing else, for msmtp's
/// <c>passwordeval</c>, mutt, mbsync's <c>PassCmd</c>, curl and scripts.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var name = new Argument<string>("NAME") { Description = "The account" };
        var format = new Option<string>("--format")
        {
            Description = "raw (the token), xoauth2 or oauthbearer (the base64 SASL initial response)",
            DefaultValueFactory = _ => "raw",
        };
        format.AcceptOnlyFromAmong("raw", "xoauth2", "oauthbearer");
        var host = new Option<string?>("--host") { Description = "Server host name for OAUTHBEARER" };
        var port = new Option<int?>("--port") { Description = "Server port for OAUTHBEARER" };
        var command = new Command("token", "Print an account's current access token, refreshing it first if it is about to expire") { name, format, host, port };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var token = await client.TokenAsync(result.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            var text = result.GetValue(format) switch
            {
                "xoauth2" => SaslEncoder.XOAuth2(token.Username, token.AccessToken),
                "oauthbearer" => SaslEncoder.OAuthBearer(token.Username, token.AccessToken, result.GetValue(host), result.GetValue(port)),
                _ => token.AccessToken,
            };
            await result.InvocationConfiguration.Output.WriteLineAsync(text).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
