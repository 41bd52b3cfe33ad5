using TokenBroker.Core.Sasl;
using TokenBroker.TestUtils;

namespace TokenBroker.Postfix.Tests;

/// <summary>
/// The Cyrus SASL client plugin in contrib/sasl-xoauth2, built with its Makefile into a temporary
/// directory and driven through the real libsasl2 client API by its test program.
/// </summary>
public sealed class SaslPluginTests(SaslPluginTests.Build build) : IClassFixture<SaslPluginTests.Build>
{
    private const string Token = "ya29.a0-token_with.all~kinds/of+chars=";

    [Fact]
    public async Task Its_own_checks_pass_under_valgrind()
    {
        using var output = new TempDirectory();

        var check = await Make(output.Path, "check");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains(" passed, 0 failed", check.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice@example.test", "smtp.example.test")]
    [InlineData("odd,user=name@example.test", "smtp.example.test")]
    [InlineData("alice@example.test", "")]
    public async Task Its_initial_responses_are_the_ones_the_broker_builds(string user, string host)
    {
        var xoauth2 = await build.SaslTestAsync("XOAUTH2", user, Token, host);
        var oauthbearer = await build.SaslTestAsync("OAUTHBEARER", user, Token, host);

        Assert.Equal(["XOAUTH2", SaslEncoder.XOAuth2(user, Token)], xoauth2);
        Assert.Equal(["OAUTHBEARER", SaslEncoder.OAuthBearer(user, Token, host.Length > 0 ? host : null)], oauthbearer);
    }

    [Fact]
    public async Task A_server_error_challenge_gets_the_empty_answer_each_mechanism_defines()
    {
        const string error = """{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}""";

        var xoauth2 = await build.SaslTestAsync("XOAUTH2", "alice@example.test", Token, "smtp.example.test", error);
        var oauthbearer = await build.SaslTestAsync("OAUTHBEARER", "alice@example.test", Token, "smtp.example.test", error);

        Assert.Equal(string.Empty, xoauth2[2]);
        Assert.Equal(Convert.ToBase64String("\u0001"u8), oauthbearer[2]);
    }

    [Fact]
    public async Task A_token_with_a_control_character_is_refused_without_printing_it()
    {
        var result = await Command.RunAsync(build.SaslTest, ["XOAUTH2", "alice@example.test", "secret\u0001part", "smtp.example.test"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.DoesNotContain("secret", result.Stderr, StringComparison.Ordinal);
    }

    private static Task<CommandResult> Make(string output, params string[] targets) =>
        Command.RunAsync("make", ["-s", "-C", Build.Source, $"O={output}", .. targets], limit: TimeSpan.FromMinutes(5));

    /// <summary>The plugin and its test program, built once for the class.</summary>
    public sealed class Build : IAsyncLifetime
    {
        private readonly TempDirectory _output = new();

        public static string Source => Path.Combine(BuiltPrograms.Repository, "contrib", "sasl-xoauth2");

        public string SaslTest => _output.Combine("sasltest");

        public async Task InitializeAsync()
        {
            var built = await Make(_output.Path, "all", "sasltest");
            Assert.True(built.ExitCode == 0, built.ToString());
        }

        /// <summary>Runs the test program; returns its output lines.</summary>
        public async Task<string[]> SaslTestAsync(params string[] arguments)
        {
            var result = await Command.RunAsync(SaslTest, arguments);
            Assert.True(result.ExitCode == 0, result.ToString());
            // One line each; the answer to an error challenge may be an empty line.
            Assert.EndsWith("\n", result.Stdout, StringComparison.Ordinal);
            return result.Stdout.Split('\n')[..^1];
        }

        public Task DisposeAsync()
        {
            _output.Dispose();
            return Task.CompletedTask;
        }
    }
}
