using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Refresh;

/// <summary>
/// A provider fault over an account's planned refresh, on the fake clock: every lookup on the way is
/// kept, and <see cref="AssertRodeOut"/> checks the old token was served while valid, never after,
/// and that a fresh one came within one backoff step of the fault's end.
/// </summary>
internal sealed class FaultRun(InProcessDaemon daemon, AccountEntry consented)
{
    private DateTimeOffset? _faultEnd;

    public List<(DateTimeOffset At, TokenAnswer Answer)> Answers { get; } = [];

    /// <summary>The account, as its consent left it.</summary>
    public AccountEntry Consented => consented;

    /// <summary>Consents an account at <paramref name="server"/> and moves the clock to a minute before its planned refresh.</summary>
    public static async Task<FaultRun> JustBeforeTheRefreshAsync(InProcessDaemon daemon, AuthServer server)
    {
        var run = new FaultRun(daemon, await daemon.ConsentAsync(server));
        var name = run.Consented.Account.Name.Value;
        await daemon.AdvanceAsync((await daemon.NextRefreshAsync(name))!.Value - daemon.Clock.GetUtcNow() - TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        return run;
    }

    /// <summary>Moves the clock on in 30-second steps, looking the account up after each.</summary>
    public Task AdvanceAsync(TimeSpan by) =>
        daemon.AdvanceAsync(by, TimeSpan.FromSeconds(30), async () => Answers.Add((daemon.Clock.GetUtcNow(), await daemon.LookupAsync(consented.Account.Name.Value))));

    /// <summary>Marks the end of the fault, then runs 11 more minutes.</summary>
    public Task EndFaultAsync()
    {
        _faultEnd = daemon.Clock.GetUtcNow();
        return AdvanceAsync(TimeSpan.FromMinutes(11));
    }

    /// <summary>Checks every answer and returns how long after the fault a fresh token came.</summary>
    public TimeSpan AssertRodeOut()
    {
        var end = _faultEnd ?? throw new InvalidOperationException("the fault has not ended");
        var (oldToken, oldExpiry) = (consented.Grant.AccessToken!.Reveal(), consented.Grant.ExpiresAt!.Value);
        Assert.Contains(Answers, a => a.At >= oldExpiry && a.At < end);
        Assert.All(Answers.Where(a => a.At < end), a =>
            Assert.Equal(a.At < oldExpiry ? (TokenAnswerKind.Token, oldToken) : (TokenAnswerKind.Unavailable, null), (a.Answer.Kind, a.Answer.Token?.Reveal())));
        var recovered = Answers.First(a => a.At >= end && a.Answer.Kind == TokenAnswerKind.Token).At;
        Assert.True(recovered - end <= TimeSpan.FromMinutes(10.5), $"recovered {recovered - end} after the fault");
        Assert.All(Answers.Where(a => a.At >= recovered), a => Assert.True(a.Answer.ExpiresAt > a.At.AddMinutes(5)));
        return recovered - end;
    }
}
