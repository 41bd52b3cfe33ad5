using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;

namespace TokenBroker.Core.Tests.Accounts;

public sealed class AccountSpecsTests
{
    private static readonly AccountName Name = AccountName.Parse("mail");

    private static AccountSpec Spec(string provider = "generic", string? secret = null, Uri? issuer = null, TokenFileSpec? tokenFile = null) => new(
        provider, "alice@example.test", "client-id", secret, null, issuer ?? new Uri("http://127.0.0.1:8080/"), null, null, null, [], ["[smtp.example.test]:587"], tokenFile);

    [Fact]
    public void A_spec_becomes_an_account_and_shows_back_without_its_secret()
    {
        var account = AccountSpecs.ToAccount(Name, Spec(secret: "s3cret\n", tokenFile: new TokenFileSpec("/run/tokenbroker/tokens/mail.token", "fetchmail", null, "0640")));

        Assert.Equal("s3cret", account.ClientSecret!.Reveal());
        Assert.Equal((UnixFileMode)0b110_100_000, account.TokenFile!.Mode);
        var shown = AccountSpecs.ToSpec(account);
        Assert.Null(shown.ClientSecret);
        Assert.Equal(new TokenFileSpec("/run/tokenbroker/tokens/mail.token", "fetchmail", null, "0640"), shown.TokenFile);
        Assert.Equal(["[smtp.example.test]:587"], shown.MatchKeys);
    }

    [Fact]
    public void Google_gets_its_preset_scopes_when_none_are_given()
    {
        var account = AccountSpecs.ToAccount(Name, Spec("google") with { Issuer = null });

        Assert.Equal(["https://mail.google.com/"], AccountSpecs.ToSpec(account).Scopes);
    }

    [Theory]
    [InlineData("http://localhost:9000/")]
    [InlineData("http://[::1]:9000/")]
    [InlineData("https://idp.example.test/")]
    public void Https_or_loopback_http_issuers_are_taken(string issuer) =>
        Assert.Equal(new Uri(issuer), AccountSpecs.ToAccount(Name, Spec(issuer: new Uri(issuer))).Provider.Issuer);

    [Fact]
    public void The_text_form_of_a_spec_never_shows_the_client_secret()
    {
        var text = Spec(secret: "very-secret-value").ToString();

        Assert.DoesNotContain("very-secret-value", text, StringComparison.Ordinal);
        Assert.Contains("ClientSecret = [secret]", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0600x")]
    [InlineData("4755")]
    [InlineData("0200")]
    public void A_token_file_mode_that_is_not_plain_or_unreadable_by_its_owner_is_refused(string mode) =>
        Assert.Throws<InvalidAccountException>(() => AccountSpecs.ToAccount(Name, Spec(tokenFile: new TokenFileSpec("/var/lib/tokenbroker/tokens/a", null, null, mode))));
}
