using System.Security.Cryptography;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Security;

/// <summary>The run-wide secret scan itself: it finds what it must, says only a secret's start, and spares only <c>tokenbroker token</c>'s stdout.</summary>
public sealed class SecretScanTests
{
    [Fact]
    public void A_recorded_secret_is_found_anywhere_in_a_text_and_reported_by_its_start_only()
    {
        var secret = RandomNumberGenerator.GetHexString(40, lowercase: true);
        SecretLedger.Add(secret, planted: true);

        var found = SecretLedger.FoundIn($"refresh failed: invalid_grant ({secret}) at line 3");

        Assert.Equal([secret[..8] + "…"], found);
        Assert.Empty(SecretLedger.FoundIn($"refresh failed: invalid_grant ({secret[..39]})"));
        var error = Assert.ThrowsAny<Exception>(() => SecretLedger.AssertNoneIn($"user:{secret}", "a test text"));
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_process_that_prints_a_secret_fails_when_disposed()
    {
        var secret = RandomNumberGenerator.GetHexString(40, lowercase: true);
        SecretLedger.Add(secret, planted: true);
        using var directory = new TempDirectory();
        var child = ChildProcess.StartProgram("/bin/sh", ["-c", $"echo 'token is {secret}' >&2"], directory.Path);
        Assert.Equal(0, await child.WaitForExitAsync());

        Assert.ThrowsAny<Exception>(child.Dispose);
    }

    [Theory]
    [InlineData(true, "dotnet", "/src/bin/tokenbroker.dll", "token", "work")]
    [InlineData(true, "setpriv", "--reuid", "nobody", "--", "/usr/bin/tokenbroker", "token", "work")]
    [InlineData(false, "dotnet", "/src/bin/tokenbroker.dll", "status", "token")]
    [InlineData(false, "dotnet", "/src/bin/tokenbrokerd.dll", "token")]
    public void Only_the_token_commands_stdout_may_carry_a_token(bool prints, params string[] command) =>
        Assert.Equal(prints, SecretLedger.PrintsToken(command));
}
