using Microsoft.Extensions.Time.Testing;

namespace TokenBroker.Daemon.Tests.Consent;

/// <summary>
/// A fake clock whose wall time can also be stepped back, as an NTP step or a restored VM does:
/// <see cref="Step"/> moves what <see cref="GetUtcNow"/> says, while timers and timestamps keep
/// running forward as a monotonic clock does.
/// </summary>
public sealed class SteppingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private TimeSpan _step;

    /// <summary>Moves the wall clock by <paramref name="by"/>, forward or back, without firing or delaying any timer.</summary>
    public void Step(TimeSpan by) => _step += by;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _step;
}
