using System.Collections.Concurrent;
using TokenBroker.TestUtils;

namespace TokenBroker.TestAuthServer;

/// <summary>Every code and token the server handed out, so tests can prove none of them leaked into a log or output.</summary>
public sealed class IssuedValues
{
    private readonly ConcurrentBag<string> _values = [];

    public IReadOnlyCollection<string> All => _values;

    public void Add(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _values.Add(value);
            SecretLedger.Add(value);
        }
    }

    /// <summary>The issued values found in <paramref name="text"/>; empty when nothing leaked.</summary>
    public IReadOnlyList<string> FoundIn(string text) =>
        [.. _values.Where(v => text.Contains(v, StringComparison.Ordinal)).Select(v => v.Length > 12 ? v[..12] + "…" : v)];
}
