using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.Tests.Accounts;

public sealed class AccountNameTests
{
    [Theory]
    [InlineData("work", "work")]
    [InlineData("Work.Mail", "work.mail")]
    [InlineData("me+relay@example.com", "me+relay@example.com")]
    [InlineData("a_b-c", "a_b-c")]
    public void Valid_names_parse_in_lower_case(string text, string expected)
    {
        Assert.Equal(expected, AccountName.Parse(text).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-leading")]
    [InlineData("has space")]
    [InlineData("colon:name")]
    [InlineData("slash/name")]
    [InlineData("ünïcode")]
    [InlineData(null)]
    public void Invalid_names_are_refused(string? text)
    {
        Assert.False(AccountName.TryParse(text, out _));
    }

    [Fact]
    public void Names_longer_than_the_limit_are_refused_with_a_clear_message()
    {
        var error = Assert.Throws<FormatException>(() => AccountName.Parse(new string('a', AccountName.MaxLength + 1)));

        Assert.Contains("not a valid account name", error.Message, StringComparison.Ordinal);
        Assert.True(AccountName.TryParse(new string('a', AccountName.MaxLength), out _));
    }

    [Fact]
    public void Names_differing_only_in_case_are_equal()
    {
        Assert.Equal(AccountName.Parse("WORK"), AccountName.Parse("work"));
    }
}
