using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.Secrets;

public sealed class SecretTests
{
    [Fact]
    public void ToString_never_shows_the_value()
    {
        var secret = Secret.FromText("hunter2-token");

        Assert.Equal("[secret]", secret.ToString());
        Assert.Equal("hunter2-token", secret.Reveal());
        Assert.DoesNotContain("hunter2", $"{secret}", StringComparison.Ordinal);
    }

    [Fact]
    public void Records_that_hold_secrets_print_no_secret()
    {
        var grant = Samples.ActiveGrant(Samples.Now);
        var account = Samples.Account();

        var printed = $"{grant} {account}";

        Assert.Contains("[secret]", printed, StringComparison.Ordinal);
        foreach (var secret in new[] { Samples.RefreshTokenText, Samples.AccessTokenText, Samples.ClientSecretText, "msal-cache" })
        {
            Assert.DoesNotContain(secret, printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Secrets_compare_by_value()
    {
        Assert.Equal(Secret.FromText("a"), Secret.FromBytes("a"u8));
        Assert.NotEqual(Secret.FromText("a"), Secret.FromText("b"));
        Assert.NotEqual(Secret.FromText("a"), Secret.FromText("aa"));
    }

    [Fact]
    public void Grant_None_needs_consent_and_holds_nothing()
    {
        Assert.Equal(GrantState.NeedsConsent, Grant.None.State);
        Assert.Null(Grant.None.RefreshToken);
        Assert.Null(Grant.None.AccessToken);
    }
}
