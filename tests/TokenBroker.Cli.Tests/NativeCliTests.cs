using System.Text.Json.Nodes;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary>
/// The CLI as it is installed: published with NativeAOT (no .NET runtime at run time), talking to the
/// real daemon. Catches code that works under the JIT but not ahead of time. Runs the CLI as user
/// nobody too, to check who the daemon lets in.
/// </summary>
public sealed class NativeCliTests(NativeCliTests.Published published) : IClassFixture<NativeCliTests.Published>
{
    private const string Nobody = "65534";

    private string Native => published.Path;

    [Fact]
    public async Task The_native_cli_prints_the_token_and_the_ready_sasl_string()
    {
        await using var broker = await BrokerScenario.StartAsync();
        await broker.ConsentAsync();

        var raw = await Command.RunAsync(Native, ["token", "work", "--admin-socket", broker.AdminSocket]);
        var xoauth2 = await Command.RunAsync(Native, ["token", "work", "--format", "xoauth2", "--admin-socket", broker.AdminSocket]);

        Assert.True(raw.ExitCode == 0, raw.ToString());
        var token = raw.Stdout.TrimEnd('\n');
        Assert.Contains(token, broker.Server.Issued.All);
        Assert.Equal(Core.Sasl.SaslEncoder.XOAuth2(TestAuthServer.AuthServer.User, token) + "\n", xoauth2.Stdout);
    }

    [Fact]
    public async Task The_native_cli_keeps_the_exit_codes()
    {
        await using var broker = await BrokerScenario.StartAsync();

        var needsConsent = await Command.RunAsync(Native, ["token", "work", "--admin-socket", broker.AdminSocket]);
        var unreachable = await Command.RunAsync(Native, ["token", "work", "--admin-socket", Path.Combine(broker.Layout.Directory, "no.sock")]);
        var usage = await Command.RunAsync(Native, ["token"]);
        var status = await Command.RunAsync(Native, ["status", "--json", "--admin-socket", broker.AdminSocket]);

        Assert.Equal((69, 75, 64, 0), (needsConsent.ExitCode, unreachable.ExitCode, usage.ExitCode, status.ExitCode));
        Assert.Contains("tokenbroker consent work", needsConsent.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"work\",\"provider\":\"generic\"", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_the_daemon_does_not_allow_is_refused_by_its_peer_credentials_even_through_an_open_socket()
    {
        await using var broker = await StartOpenAsync(new JsonObject { ["SocketMode"] = "0666" });

        var asNobody = await AsNobodyAsync(broker, "status");
        var asRoot = await Command.RunAsync(Native, ["status", "--admin-socket", broker.AdminSocket]);

        Assert.Equal(77, asNobody.ExitCode);
        Assert.Contains($"user {Nobody} (process ", asNobody.Stderr, StringComparison.Ordinal);
        Assert.Empty(asNobody.Stdout);
        Assert.True(asRoot.ExitCode == 0, asRoot.ToString());
        Assert.Contains($"Admin request refused: user {Nobody}", broker.Daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_named_in_allowed_users_gets_its_token()
    {
        await using var broker = await StartOpenAsync(new JsonObject { ["SocketMode"] = "0666", ["AllowedUsers"] = new JsonArray("nobody") });
        await broker.ConsentAsync();

        var token = await AsNobodyAsync(broker, "token", "work");

        Assert.True(token.ExitCode == 0, token.ToString());
        Assert.Contains(token.Stdout.TrimEnd('\n'), broker.Server.Issued.All);
    }

    [Fact]
    public async Task A_member_of_the_socket_group_by_a_supplementary_group_is_let_in()
    {
        await using var broker = await StartOpenAsync(new JsonObject { ["SocketGroup"] = "nogroup" });

        // Primary group "daemon" (1), "nogroup" only as a supplementary group: the socket's mode 0660 and SO_PEERGROUPS both see it.
        var status = await Command.RunAsync("setpriv", ["--reuid", Nobody, "--regid", "1", "--groups", Nobody, "--", Native, "status", "--admin-socket", broker.AdminSocket]);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.StartsWith("ACCOUNT", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_the_socket_mode_keeps_out_gets_77_and_what_to_do()
    {
        await using var broker = await StartOpenAsync(null);

        var status = await AsNobodyAsync(broker, "status");

        Assert.Equal(77, status.ExitCode);
        Assert.Contains("permission denied on tokenbrokerd's admin socket", status.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A daemon whose socket directory (not the socket) anyone may pass through, as /run/tokenbroker is.</summary>
    private async Task<BrokerScenario> StartOpenAsync(JsonObject? admin)
    {
        var broker = await BrokerScenario.StartAsync(admin);
        File.SetUnixFileMode(Path.GetDirectoryName(broker.AdminSocket)!, (UnixFileMode)0b111_001_001);
        File.SetUnixFileMode(Path.GetDirectoryName(Native)!, (UnixFileMode)0b111_101_101);
        return broker;
    }

    private Task<CommandResult> AsNobodyAsync(BrokerScenario broker, params string[] arguments) =>
        Command.RunAsync("setpriv", ["--reuid", Nobody, "--regid", Nobody, "--clear-groups", "--", Native, .. arguments, "--admin-socket", broker.AdminSocket]);

    /// <summary>The CLI as <c>make</c> publishes it, copied to a directory of its own that nobody may enter.</summary>
    public sealed class Published : IAsyncLifetime
    {
        private readonly TempDirectory _output = new();

        public string Path => _output.Combine("tokenbroker");

        public async Task InitializeAsync() =>
            File.Copy(System.IO.Path.Combine(await MakeBuild.DirectoryAsync(), "cli", "tokenbroker"), Path);

        public Task DisposeAsync()
        {
            _output.Dispose();
            return Task.CompletedTask;
        }
    }
}
