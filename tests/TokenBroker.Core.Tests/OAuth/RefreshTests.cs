using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Core.Tests.OAuth;

public sealed class RefreshTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task With_rotation_a_refresh_returns_a_new_refresh_token_and_the_old_one_dies()
    {
        var context = fixture.Context;
        var account = context.Account();
        var consent = await context.ConsentAsync(account);
        var grant = GrantUpdates.Issued(Grant.None, consent);

        var first = await context.Client.RefreshAsync(account, grant, None);
        var replay = await context.Client.RefreshAsync(account, grant, None);

        Assert.NotNull(first.Value?.RefreshToken);
        Assert.NotEqual(consent.RefreshToken, first.Value.RefreshToken);
        Assert.NotEqual(consent.AccessToken, first.Value.AccessToken);
        Assert.Equal(OAuthFailureKind.Permanent, replay.Failure?.Kind);
        Assert.Equal("invalid_grant", replay.Failure?.Error);
    }

    [Fact]
    public async Task Without_rotation_the_refresh_token_keeps_working()
    {
        await using var context = await OAuthTestContext.StartAsync(new AuthServerOptions { RotateRefreshTokens = false });
        var account = context.Account();
        var grant = GrantUpdates.Issued(Grant.None, await context.ConsentAsync(account));

        var first = await context.Client.RefreshAsync(account, grant, None);
        var second = await context.Client.RefreshAsync(account, grant, None);

        Assert.NotNull(first.Value);
        Assert.NotNull(second.Value);
    }

    [Fact]
    public async Task A_revoked_consent_is_a_permanent_invalid_grant()
    {
        var context = fixture.Context;
        var account = context.Account();
        var grant = GrantUpdates.Issued(Grant.None, await context.ConsentAsync(account));

        await context.Server.RevokeUserAsync();
        var result = await context.Client.RefreshAsync(account, grant, None);

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("invalid_grant", result.Failure?.Error);
        Assert.Contains("no longer valid", result.Failure?.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoking_at_the_provider_ends_the_grant()
    {
        var context = fixture.Context;
        var account = context.Account();
        var grant = GrantUpdates.Issued(Grant.None, await context.ConsentAsync(account));

        Assert.Null(await context.Client.RevokeAsync(account, grant, None));

        Assert.Equal("invalid_grant", (await context.Client.RefreshAsync(account, grant, None)).Failure?.Error);
    }

    [Theory]
    [InlineData(Fault.ServerError, "http_500", null)]
    [InlineData(Fault.TooManyRequests, "http_429", 7)]
    [InlineData(Fault.Drop, "network", null)]
    public async Task Provider_faults_are_transient_and_the_next_try_succeeds(Fault fault, string error, int? retryAfterSeconds)
    {
        var context = fixture.Context;
        var account = context.Account();
        var grant = GrantUpdates.Issued(Grant.None, await context.ConsentAsync(account));

        context.Server.Fail(fault);
        var failed = await context.Client.RefreshAsync(account, grant, None);
        var retried = await context.Client.RefreshAsync(account, grant, None);

        Assert.Equal(OAuthFailureKind.Transient, failed.Failure?.Kind);
        Assert.Equal(error, failed.Failure?.Error);
        Assert.Equal(retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null, failed.Failure?.RetryAfter);
        Assert.NotNull(retried.Value);
    }

    [Fact]
    public async Task A_provider_that_never_answers_is_a_transient_timeout()
    {
        // A server of its own: should the client give up before its request arrives, the hang stays queued there.
        await using var context = await OAuthTestContext.StartAsync();
        var account = context.Account();
        var grant = GrantUpdates.Issued(Grant.None, await context.ConsentAsync(account));
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };
        var client = new CodeFlowClient(impatient, new EndpointResolver(context.Http, context.Clock), context.Clock);

        context.Server.Fail(Fault.Hang);
        var result = await client.RefreshAsync(account, grant, None);

        Assert.Equal(new OAuthFailureKind?(OAuthFailureKind.Transient), result.Failure?.Kind);
        Assert.Equal("timeout", result.Failure?.Error);
    }

    [Fact]
    public async Task Cancelling_a_refresh_throws_instead_of_reporting_a_failure()
    {
        var context = fixture.Context;
        var account = context.Account();
        var grant = GrantUpdates.Issued(Grant.None, await context.ConsentAsync(account));
        using var cancellation = new CancellationTokenSource();

        context.Server.Fail(Fault.Hang);
        var refresh = context.Client.RefreshAsync(account, grant, cancellation.Token);
        await context.Server.WaitForFaultsTakenAsync();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refresh);
    }

    [Fact]
    public async Task A_grant_without_refresh_token_needs_consent()
    {
        var context = fixture.Context;

        var result = await context.Client.RefreshAsync(context.Account(), Grant.None, None);

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("no_refresh_token", result.Failure?.Error);
    }
}
