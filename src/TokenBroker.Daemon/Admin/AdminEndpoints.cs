using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Consent;
using TokenBroker.Daemon.Postfix;
using TokenBroker.Daemon.Refresh;

namespace TokenBroker.Daemon.Admin;

/// <summary>
/// The admin API (HTTP/JSON) the CLI uses. It answers only on the admin unix socket, never on the
/// loopback TCP port that browsers reach, and only to the users <see cref="AdminAccess"/> allows.
/// </summary>
internal static class AdminEndpoints
{
    public static WebApplication MapAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Connection.LocalIpAddress is not null)
            {
                return Results.NotFound();
            }

            if (http.RequestServices.GetRequiredService<AdminAccess>().Refusal(http) is { } refusal)
            {
                AdminLog.Refused(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints)), refusal);
                return AdminResults.Error(StatusCodes.Status403Forbidden, new AdminError("forbidden", refusal));
            }

            return await next(context).ConfigureAwait(false);
        });
        admin.MapPost("/accounts/{name}/consent", StartConsentAsync);
        admin.MapGet("/accounts/{name}/token", TokenAsync);
        admin.MapGet("/consents/{id}", WaitAsync);
        admin.MapPost("/consents/callback", PasteAsync);
        admin.MapGet("/postfix", PostfixAsync);
        admin.MapGet("/doctor", async (DoctorChecks doctor, CancellationToken cancellationToken) =>
            Results.Json(await doctor.RunAsync(cancellationToken).ConfigureAwait(false), AdminJson.Default.DoctorReport));
        admin.MapPost("/reload", ReloadAsync);
        admin.MapAccounts();
        admin.MapBackup();
        return app;
    }

    private static async Task<IResult> ReloadAsync(ConfigurationReload reload, CancellationToken cancellationToken)
    {
        var outcome = await reload.RunAsync(cancellationToken).ConfigureAwait(false);
        return outcome.Applied
            ? Results.Json(outcome, AdminJson.Default.ReloadOutcome)
            : AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("configuration", outcome.Message));
    }

    private static async Task<IResult> PostfixAsync(IGrantStore store, IOptions<PostfixOptions> options, IServiceProvider services, CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var accounts = listing.Accounts
            .Select(e => e.Account)
            .Select(a => new PostfixAccount(a.Name.Value, a.Username, AccountClaims.RelayHost(a), [.. AccountClaims.Explicit(a).Concat(AccountClaims.Implicit(a))]))
            .ToList();
        var postfix = options.Value;
        var socket = services.GetService<PostfixSocketPath>()?.Path;
        return Results.Json(new PostfixSetup(socket, socket is null ? null : postfix.Port, postfix.MapName, postfix.RelayMapName, accounts), AdminJson.Default.PostfixSetup);
    }

    private static async Task<IResult> StartConsentAsync(string name, string? mode, ConsentCoordinator coordinator, CancellationToken cancellationToken)
    {
        if (!AccountName.TryParse(name, out var account))
        {
            return AdminResults.BadName(name);
        }

        OAuthResult<StartedConsent>? started;
        try
        {
            started = mode == "device"
                ? await coordinator.StartDeviceAsync(account, cancellationToken).ConfigureAwait(false)
                : await coordinator.StartAsync(account, cancellationToken).ConfigureAwait(false);
        }
        catch (AccountUnreadableException ex)
        {
            return AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("unreadable", ex.Message));
        }

        return started switch
        {
            null => AdminResults.Unknown(account),
            { Value: { } consent } => Results.Json(consent.Info, AdminJson.Default.ConsentStarted),
            _ => AdminResults.Error(StatusCodes.Status502BadGateway, new AdminError("provider", $"the provider refused to start a consent for {account}: {started.Failure}", started.Failure?.Kind == OAuthFailureKind.Transient)),
        };
    }

    private static async Task<IResult> TokenAsync(string name, TokenLookup lookup, CancellationToken cancellationToken)
    {
        if (!AccountName.TryParse(name, out var account))
        {
            return AdminResults.BadName(name);
        }

        TokenAnswer answer;
        try
        {
            answer = await lookup.GetAsync(account, cancellationToken).ConfigureAwait(false);
        }
        catch (AccountUnreadableException ex)
        {
            return AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("unreadable", ex.Message));
        }

        return answer.Kind switch
        {
            TokenAnswerKind.Token => Results.Json(new CurrentToken(account.Value, answer.Username!, answer.Token!.Reveal(), answer.ExpiresAt!.Value), AdminJson.Default.CurrentToken),
            TokenAnswerKind.Unknown => AdminResults.Unknown(account),
            TokenAnswerKind.NeedsConsent => AdminResults.Error(StatusCodes.Status409Conflict, new AdminError("needs_consent", answer.Reason!)),
            _ => AdminResults.Error(StatusCodes.Status503ServiceUnavailable, new AdminError("unavailable", answer.Reason!, Transient: true)),
        };
    }

    private static async Task<IResult> WaitAsync(string id, ConsentCoordinator coordinator, CancellationToken cancellationToken)
    {
        if (coordinator.Outcome(id) is not { } outcome)
        {
            return AdminResults.Error(StatusCodes.Status404NotFound, new AdminError("unknown_consent", "no such consent; it may have expired"));
        }

        return Results.Json(Finished(await outcome.WaitAsync(cancellationToken).ConfigureAwait(false)), AdminJson.Default.ConsentFinished);
    }

    private static async Task<IResult> PasteAsync(PastedCallback pasted, ConsentCoordinator coordinator, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(pasted.Url.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, new AdminError("bad_request", "that is not the URL the browser ended on (it starts with http://127.0.0.1:...)"));
        }

        return Results.Json(Finished(await coordinator.CompleteAsync(url, cancellationToken).ConfigureAwait(false)), AdminJson.Default.ConsentFinished);
    }

    private static ConsentFinished Finished(CallbackOutcome outcome) =>
        new(outcome.StatusCode == StatusCodes.Status200OK, outcome.Message, outcome.Failure?.Error ?? (outcome.StatusCode == StatusCodes.Status200OK ? null : "rejected"),
            outcome.Failure?.Kind == OAuthFailureKind.Transient);
}
