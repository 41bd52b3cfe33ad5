using TokenBroker.Core.OAuth;
using TokenBroker.TestUtils;

namespace TokenBroker.Core.Tests.OAuth;

public sealed class DeviceCodeTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_device_flow_waits_for_approval_then_returns_tokens()
    {
        var context = fixture.Context;
        var device = (await context.Client.BeginDeviceConsentAsync(context.Account(), None)).Value!;
        Assert.Equal(context.Server.VerificationEndpoint, device.VerificationUri);
        Assert.True(device.ExpiresAt > context.Clock.GetUtcNow());

        var waiting = device.WaitAsync(None);
        await context.Clock.DriveAsync(Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(3), context.Clock)), TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        await context.Server.ApproveDeviceAsync(device.UserCode);
        var result = await context.Clock.DriveAsync(waiting, TimeSpan.FromSeconds(1));

        Assert.NotNull(result.Value?.RefreshToken);
    }

    [Fact]
    public async Task An_unapproved_device_code_expires_as_a_permanent_failure()
    {
        var context = fixture.Context;
        var device = (await context.Client.BeginDeviceConsentAsync(context.Account(), None)).Value!;

        var result = await context.Clock.DriveAsync(device.WaitAsync(None), TimeSpan.FromMinutes(1));

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("expired_token", result.Failure?.Error);
    }

    [Fact]
    public async Task A_provider_without_a_device_endpoint_says_so()
    {
        var context = fixture.Context;
        var result = await context.Client.BeginDeviceConsentAsync(context.ExplicitEndpointsAccount(), None);

        Assert.Equal("device_flow_unsupported", result.Failure?.Error);
    }
}
