using TokenBroker.Core.Accounts;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.Accounts;

public sealed class AccountClaimsTests
{
    [Fact]
    public void An_account_claims_its_user_name_and_match_keys_folded_once_each()
    {
        var account = Samples.Account("Work") with { Username = "Work@Example.com", MatchKeys = ["work@example.com", "[SMTP.Example.com]:587"] };

        Assert.Equal(["work@example.com", "[smtp.example.com]:587"], AccountClaims.Explicit(account));
    }

    [Theory]
    [InlineData(ProviderKind.Google, "smtp.gmail.com")]
    [InlineData(ProviderKind.Microsoft, "smtp.office365.com")]
    public void A_preset_provider_claims_its_SMTP_server_as_Postfix_writes_it(ProviderKind kind, string host)
    {
        var account = Samples.Account() with { Provider = new ProviderProfile { Kind = kind }, MatchKeys = [] };

        Assert.Equal([host, $"[{host}]", $"[{host}]:587", $"[{host}]:465"], AccountClaims.Implicit(account));
        Assert.Equal($"[{host}]:587", AccountClaims.RelayHost(account));
    }

    [Fact]
    public void A_generic_account_claims_no_server_and_relays_through_its_first_next_hop_key()
    {
        var account = Samples.Account() with { MatchKeys = ["ops@example.com", "smtp.example.com", "mail.example.com:2525", "[other.example.com]:587"] };

        Assert.Empty(AccountClaims.Implicit(account));
        Assert.Equal("mail.example.com:2525", AccountClaims.RelayHost(account));
        Assert.Null(AccountClaims.RelayHost(account with { MatchKeys = ["ops@example.com"] }));
    }
}
