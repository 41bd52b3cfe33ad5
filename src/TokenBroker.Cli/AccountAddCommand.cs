using System.CommandLine;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary>
/// <c>tokenbroker account add NAME --provider P --username U --client-id ID ...</c>. The google and
/// microsoft presets fill endpoints and scopes. A missing provider, user name or client id is asked
/// for on a terminal and is a usage error otherwise; the daemon checks everything else.
/// </summary>
internal static class AccountAddCommand
{
    public static Command Create(Option<string?> adminSocket)
    {
        var name = new Argument<string>("NAME") { Description = "A name for the account (letters, digits, . _ -)" };
        var provider = new Option<string?>("--provider") { Description = "google, microsoft or generic" };
        provider.AcceptOnlyFromAmong("google", "microsoft", "generic");
        var username = new Option<string?>("--username") { Description = "The mailbox address the mail server logs in" };
        var clientId = new Option<string?>("--client-id") { Description = "The client id of your OAuth2 app at the provider" };
        var secretFile = new Option<FileInfo?>("--client-secret-file") { Description = "A file holding the app's client secret (google Desktop apps have one)" };
        var tenant = new Option<string?>("--tenant") { Description = "microsoft: common, organizations, consumers or a tenant id (default common)" };
        var issuer = new Option<string?>("--issuer") { Description = "generic: the issuer for discovery; microsoft: another cloud's authority" };
        var authorizeUrl = new Option<string?>("--authorize-url") { Description = "generic without discovery: the authorization endpoint" };
        var tokenUrl = new Option<string?>("--token-url") { Description = "generic without discovery: the token endpoint" };
        var deviceUrl = new Option<string?>("--device-url") { Description = "generic without discovery: the device authorization endpoint" };
        var scopes = new Option<string[]>("--scope") { Description = "A scope to request (repeatable; default: the provider's mail scopes)" };
        var matches = new Option<string[]>("--match") { Description = "A Postfix lookup key it answers: a sender address or a next-hop such as [smtp.gmail.com]:587 (repeatable)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Keep the current token in this file (for fetchmail's passwordfile)" };
        var fileOwner = new Option<string?>("--token-file-owner") { Description = "Owner of the token file (default: the daemon's user)" };
        var fileGroup = new Option<string?>("--token-file-group") { Description = "Group of the token file (default: the daemon's group)" };
        var fileMode = new Option<string?>("--token-file-mode") { Description = "Mode of the token file (default 0600)" };
        var command = new Command("add", "Add an account; then give it a grant with: tokenbroker consent NAME")
        {
            name, provider, username, clientId, secretFile, tenant, issuer, authorizeUrl, tokenUrl, deviceUrl, scopes, matches, tokenFile, fileOwner, fileGroup, fileMode,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var spec = new AccountSpec(
                Ask(result.GetValue(provider), "--provider", "Provider (google, microsoft or generic)"),
                Ask(result.GetValue(username), "--username", "Mailbox address"),
                Ask(result.GetValue(clientId), "--client-id", "OAuth2 client id"),
                result.GetValue(secretFile) is { } file ? await ReadSecretAsync(file, cancellationToken).ConfigureAwait(false) : null,
                result.GetValue(tenant),
                Url(result.GetValue(issuer), "--issuer"),
                Url(result.GetValue(authorizeUrl), "--authorize-url"),
                Url(result.GetValue(tokenUrl), "--token-url"),
                Url(result.GetValue(deviceUrl), "--device-url"),
                result.GetValue(scopes) ?? [],
                result.GetValue(matches) ?? [],
                result.GetValue(tokenFile) is { } path ? new TokenFileSpec(path, result.GetValue(fileOwner), result.GetValue(fileGroup), result.GetValue(fileMode)) : null);
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var added = await client.AddAccountAsync(result.GetValue(name)!, spec, cancellationToken).ConfigureAwait(false);
            await result.InvocationConfiguration.Output.WriteLineAsync(
                $"added account {added.Status.Name} ({added.Status.Provider}, {added.Status.Username}); give it a grant with: tokenbroker consent {added.Status.Name}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The value given, else (on a terminal) the answer to <paramref name="question"/>.</summary>
    private static string Ask(string? value, string option, string question)
    {
        if (value is not null)
        {
            return value;
        }

        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            throw new CliException(ExitCodes.Usage, $"{option} is required");
        }

        Console.Write($"{question}: ");
        var answer = Console.ReadLine()?.Trim();
        return string.IsNullOrEmpty(answer) ? throw new CliException(ExitCodes.Usage, $"{option} is required") : answer;
    }

    private static Uri? Url(string? text, string option) =>
        text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) ? url
        : throw new CliException(ExitCodes.Usage, $"{option} '{text}' is not an absolute URL");

    private static async Task<string> ReadSecretAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Failure, $"cannot read the client secret file {file.FullName}: {ex.Message}");
        }
    }
}
