using System.Text.Json;
using TokenBroker.Core.Admin;

namespace TokenBroker.Core.Tests.Admin;

public sealed class CurrentTokenTests
{
    private static readonly CurrentToken Sample = new("work", "alice@example.test", "ya29.secret-access-token", new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Its_text_form_names_account_and_expiry_but_never_the_token()
    {
        var text = Sample.ToString();

        Assert.DoesNotContain("secret-access-token", text, StringComparison.Ordinal);
        Assert.Contains("work", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-24 13:00:00Z", text, StringComparison.Ordinal);
    }

    [Fact]
    public void It_round_trips_through_the_admin_json()
    {
        var json = JsonSerializer.Serialize(Sample, AdminJson.Default.CurrentToken);

        Assert.Equal(Sample, JsonSerializer.Deserialize(json, AdminJson.Default.CurrentToken));
        Assert.Contains("\"accessToken\":\"ya29.secret-access-token\"", json, StringComparison.Ordinal);
    }
}
