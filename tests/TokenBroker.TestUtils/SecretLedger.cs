using System.Collections.Concurrent;

namespace TokenBroker.TestUtils;

/// <summary>
/// Every secret any test authorization server in this test process issued, and a scan of every log
/// line, exception and output of the broker against all of them: a token one test's server issued
/// is looked for in every other test's daemon logs and CLI output too, not only its own. Scanning
/// is linear in the text (secrets are found by their first 16 characters).
/// </summary>
public static class SecretLedger
{
    private const int Prefix = 16;
    private static readonly ConcurrentDictionary<string, ConcurrentBag<string>> ByPrefix = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ConcurrentBag<string>>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        ByPrefix.GetAlternateLookup<ReadOnlySpan<char>>();

    private static long _secrets;
    private static long _texts;
    private static long _characters;
    private static long _found;
    private static long _plantedFound;
    private static readonly ConcurrentDictionary<string, byte> Planted = new(StringComparer.Ordinal);

    static SecretLedger()
    {
        // With TOKENBROKER_SECRET_SCAN naming a file, each test process adds its totals to it when it
        // ends; tests/run and tests/reliability sum them for the whole run.
        if (Environment.GetEnvironmentVariable("TOKENBROKER_SECRET_SCAN") is { Length: > 0 } file)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                var (secrets, texts, characters, found, planted) = Totals;
                File.AppendAllText(file, FormattableString.Invariant($"{secrets} {texts} {characters} {found} {planted}\n"));
            };
        }
    }

    /// <summary>Secrets recorded, texts and characters scanned, secrets found in them, and planted ones found, so far in this process.</summary>
    public static (long Secrets, long Texts, long Characters, long Found, long PlantedFound) Totals =>
        (Interlocked.Read(ref _secrets), Interlocked.Read(ref _texts), Interlocked.Read(ref _characters), Interlocked.Read(ref _found), Interlocked.Read(ref _plantedFound));

    /// <summary>
    /// Records a secret (an issued code or token); shorter than 16 characters it is not a secret anyone
    /// issues here. A <paramref name="planted"/> one is the scan's own test, and its finds are counted apart.
    /// </summary>
    public static void Add(string? secret, bool planted = false)
    {
        if (secret is { Length: >= Prefix })
        {
            if (planted)
            {
                Planted.TryAdd(secret, 0);
            }

            ByPrefix.GetOrAdd(secret[..Prefix], _ => []).Add(secret);
            Interlocked.Increment(ref _secrets);
        }
    }

    /// <summary>The start of each recorded secret found in <paramref name="text"/> (never a whole secret); empty when nothing leaked.</summary>
    public static IReadOnlyList<string> FoundIn(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        Interlocked.Increment(ref _texts);
        Interlocked.Add(ref _characters, text.Length);
        var found = new List<string>();
        for (var i = 0; i + Prefix <= text.Length; i++)
        {
            if (Lookup.TryGetValue(text.AsSpan(i, Prefix), out var candidates)
                && candidates.FirstOrDefault(secret => text.AsSpan(i).StartsWith(secret, StringComparison.Ordinal)) is { } secret)
            {
                found.Add(secret[..8] + "…");
                Interlocked.Increment(ref Planted.ContainsKey(secret) ? ref _plantedFound : ref _found);
            }
        }

        return found;
    }

    /// <summary>Fails when <paramref name="text"/> holds any recorded secret; <paramref name="where"/> says what the text was.</summary>
    public static void AssertNoneIn(string? text, string where)
    {
        var found = FoundIn(text);
        Assert.True(found.Count == 0, $"{found.Count} issued secret(s) in {where}: {string.Join(", ", found)}");
    }

    /// <summary>
    /// Fails when a run of <paramref name="command"/> (the program and its arguments) printed a recorded
    /// secret; the standard output of <c>tokenbroker token</c> alone may carry a token (see <see cref="PrintsToken"/>).
    /// </summary>
    public static void AssertNoneInOutput(IReadOnlyList<string> command, string stdout, string stderr)
    {
        ArgumentNullException.ThrowIfNull(command);
        AssertNoneIn(PrintsToken(command) ? stderr : $"{stdout}\n{stderr}", $"the output of {string.Join(' ', command)}");
    }

    /// <summary>
    /// Whether a run's standard output may carry a token: only <c>tokenbroker token</c>'s, which prints one
    /// by contract. <paramref name="command"/> is the program and its arguments (a wrapper such as setpriv included).
    /// </summary>
    public static bool PrintsToken(IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var i = 0; i + 1 < command.Count; i++)
        {
            if (Path.GetFileNameWithoutExtension(command[i]) == "tokenbroker")
            {
                return command[i + 1] == "token";
            }
        }

        return false;
    }
}
