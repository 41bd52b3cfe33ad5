using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TokenBroker.Core.Sasl;

namespace TokenBroker.Core.Tests.Sasl;

public sealed class SaslEncoderTests
{
    [Fact]
    public void XOAuth2_matches_the_published_vector()
    {
        Assert.Equal(
            "dXNlcj11c2VyQGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIDEyMzQ1Njc4OTABAQ==",
            SaslEncoder.XOAuth2("user@example.com", "1234567890"));
    }

    [Fact]
    public void OAuthBearer_with_host_and_port_matches_the_published_vector()
    {
        Assert.Equal(
            "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9bG9jYWxob3N0AXBvcnQ9MTQzAWF1dGg9QmVhcmVyIDEyMzQ1Njc4OTABAQ==",
            SaslEncoder.OAuthBearer("user@example.com", "1234567890", "localhost", 143));
    }

    [Fact]
    public void OAuthBearer_leaves_out_host_and_port_when_not_given()
    {
        Assert.Equal(
            "n,a=user@example.com,\u0001auth=Bearer 1234567890\u0001\u0001",
            Decode(SaslEncoder.OAuthBearer("user@example.com", "1234567890")));
    }

    [Fact]
    public void OAuthBearer_escapes_comma_and_equals_in_the_user()
    {
        Assert.StartsWith(
            "n,a=a=2Cb=3Dc@example.com,\u0001",
            Decode(SaslEncoder.OAuthBearer("a,b=c@example.com", "t")),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user\u0001@example.com", "token")]
    [InlineData("user@example.com", "tok\u0001en")]
    [InlineData("user@example.com", "token\n")]
    [InlineData("", "token")]
    [InlineData("user@example.com", "")]
    public void Control_characters_and_empty_values_are_refused(string user, string token)
    {
        Assert.Throws<ArgumentException>(() => SaslEncoder.XOAuth2(user, token));
        Assert.Throws<ArgumentException>(() => SaslEncoder.OAuthBearer(user, token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Ports_out_of_range_are_refused(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SaslEncoder.OAuthBearer("u@example.com", "t", "localhost", port));
    }

    [Property]
    public Property XOAuth2_decodes_to_user_and_token_between_the_separators()
    {
        var printable = ArbMap.Default.GeneratorFor<NonEmptyString>()
            .Select(s => s.Get)
            .Where(s => !s.Any(char.IsControl) && !s.Any(char.IsSurrogate))
            .ToArbitrary();
        return Prop.ForAll(printable, printable, (user, token) =>
            Decode(SaslEncoder.XOAuth2(user, token)) == $"user={user}\u0001auth=Bearer {token}\u0001\u0001");
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
