using Xunit.Abstractions;

namespace TokenBroker.TestUtils;

/// <summary>
/// One line per reliability scenario, written by the test once every assertion held (so data lost is 0);
/// <c>tests/reliability</c> collects them from the test results into docs/RELIABILITY.md.
/// </summary>
public static class ReliabilityReport
{
    /// <summary>How many times the longer scenarios repeat: 1 in CI, more with <c>TOKENBROKER_RELIABILITY_SCALE</c>.</summary>
    public static int Scale => int.TryParse(Environment.GetEnvironmentVariable("TOKENBROKER_RELIABILITY_SCALE"), out var scale) && scale > 0 ? scale : 1;

    public static void Write(ITestOutputHelper output, string scenario, string tried, string outcome)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"reliability: {scenario} | {tried} | {outcome} | 0");
    }
}
