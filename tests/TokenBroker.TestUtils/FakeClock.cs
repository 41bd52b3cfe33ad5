using Microsoft.Extensions.Time.Testing;

namespace TokenBroker.TestUtils;

/// <summary>Moves a fake clock forward while real I/O (a local server) answers in between.</summary>
public static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="clock"/> by <paramref name="step"/> until <paramref name="task"/>
    /// ends, yielding between steps so that requests to local servers can complete; at most
    /// <paramref name="maxSteps"/> steps.
    /// </summary>
    public static async Task<T> DriveAsync<T>(this FakeTimeProvider clock, Task<T> task, TimeSpan step, int maxSteps = 1000)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(task);
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System));
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);
    }
}
