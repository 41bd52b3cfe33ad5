using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary>
/// The CLI as it is installed: published with NativeAOT (no .NET runtime at run time), asked for a
/// token by the real daemon. Catches code that works under the JIT but not ahead of time.
/// </summary>
public sealed class NativeCliTests(NativeCliTests.Published published) : IClassFixture<NativeCliTests.Published>, IAsyncLifetime
{
    private BrokerScenario _broker = null!;

    private string Native => published.Path;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task The_native_cli_prints_the_token_and_the_ready_sasl_string()
    {
        await _broker.ConsentAsync();

        var raw = await Command.RunAsync(Native, ["token", "work", "--admin-socket", _broker.AdminSocket]);
        var xoauth2 = await Command.RunAsync(Native, ["token", "work", "--format", "xoauth2", "--admin-socket", _broker.AdminSocket]);

        Assert.True(raw.ExitCode == 0, raw.ToString());
        var token = raw.Stdout.TrimEnd('\n');
        Assert.Contains(token, _broker.Server.Issued.All);
        Assert.Equal(Core.Sasl.SaslEncoder.XOAuth2(TestAuthServer.AuthServer.User, token) + "\n", xoauth2.Stdout);
    }

    [Fact]
    public async Task The_native_cli_keeps_the_exit_codes()
    {
        var needsConsent = await Command.RunAsync(Native, ["token", "work", "--admin-socket", _broker.AdminSocket]);
        var unreachable = await Command.RunAsync(Native, ["token", "work", "--admin-socket", Path.Combine(_broker.Layout.Directory, "no.sock")]);
        var usage = await Command.RunAsync(Native, ["token"]);

        Assert.Equal((69, 75, 64), (needsConsent.ExitCode, unreachable.ExitCode, usage.ExitCode));
        Assert.Contains("tokenbroker consent work", needsConsent.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The CLI published once for the class, as `dotnet publish` makes it.</summary>
    public sealed class Published : IAsyncLifetime
    {
        private readonly TempDirectory _output = new();

        public string Path => _output.Combine("tokenbroker");

        public async Task InitializeAsync()
        {
            var project = System.IO.Path.Combine(BuiltPrograms.Repository, "src", "TokenBroker.Cli", "TokenBroker.Cli.csproj");
            var published = await Command.RunAsync("dotnet", ["publish", project, "-c", "Release", "-o", _output.Path], limit: TimeSpan.FromMinutes(10));
            Assert.True(published.ExitCode == 0, published.ToString());
        }

        public Task DisposeAsync()
        {
            _output.Dispose();
            return Task.CompletedTask;
        }
    }
}
