using TokenBroker.TestAuthServer;

namespace TokenBroker.Core.Tests.OAuth;

/// <summary>The test server answers introspection the way Dovecot's oauth2 passdb needs it.</summary>
public sealed class TestServerIntrospectionTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    [Fact]
    public async Task An_issued_access_token_introspects_as_active_with_the_username()
    {
        var tokens = await fixture.Context.ConsentAsync(fixture.Context.Account());

        using var answer = await fixture.Context.Server.IntrospectAsync(tokens.AccessToken.Reveal());

        Assert.True(answer.RootElement.GetProperty("active").GetBoolean());
        Assert.Equal(AuthServer.User, answer.RootElement.GetProperty("username").GetString());
    }

    [Fact]
    public async Task A_revoked_or_unknown_token_introspects_as_inactive()
    {
        var tokens = await fixture.Context.ConsentAsync(fixture.Context.Account());
        await fixture.Context.Server.RevokeUserAsync();

        using var revoked = await fixture.Context.Server.IntrospectAsync(tokens.AccessToken.Reveal());
        using var unknown = await fixture.Context.Server.IntrospectAsync("not-a-token");

        Assert.False(revoked.RootElement.GetProperty("active").GetBoolean());
        Assert.False(unknown.RootElement.GetProperty("active").GetBoolean());
    }
}
