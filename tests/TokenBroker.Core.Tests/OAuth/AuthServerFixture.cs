namespace TokenBroker.Core.Tests.OAuth;

/// <summary>One default test authorization server shared by the tests of a class (they run one at a time).</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public OAuthTestContext Context { get; private set; } = null!;

    public async Task InitializeAsync() => Context = await OAuthTestContext.StartAsync();

    public async Task DisposeAsync() => await Context.DisposeAsync();
}
