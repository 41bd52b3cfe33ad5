using TokenBroker.Core;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.TokenFiles;

namespace TokenBroker.Daemon;

/// <summary>Where the configuration comes from, so a reload reads the same places again.</summary>
internal sealed record ConfigurationSources(string? ConfigFile, IReadOnlyList<KeyValuePair<string, string?>> Overrides)
{
    public IConfigurationRoot Build()
    {
        var builder = new ConfigurationBuilder();
        if (ConfigFile is not null)
        {
            builder.AddJsonFile(ConfigFile, optional: false, reloadOnChange: false);
        }

        return builder.AddEnvironmentVariables().AddInMemoryCollection(Overrides).Build();
    }
}

/// <summary>
/// <c>tokenbroker reload</c> and SIGHUP: reads the configuration again, checks all of it first and
/// keeps the running one if anything is wrong. Declared accounts, the refresh settings (but the
/// concurrency) and log levels take effect at once, with no token or connection dropped; a change
/// to a socket, port, path or access setting is reported as waiting for the next start.
/// </summary>
internal sealed class ConfigurationReload(IConfiguration configuration, ConfigurationSources sources, IGrantStore store, TokenFileWriter tokenFiles, ILogger<ConfigurationReload> logger)
    : IDisposable
{
    private static readonly string[] AtNextStart =
    [
        "TokenBroker:StateDirectory", "TokenBroker:MasterKeyFile", "TokenBroker:AdminSocket", "TokenBroker:Admin", "TokenBroker:Consent", "TokenBroker:Metrics",
        "TokenBroker:Postfix", "TokenBroker:TokenFiles", "TokenBroker:Refresh:Concurrency", "TokenBroker:Storage", "TokenBroker:NodeName",
    ];

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The settings only a start applies, as this process started with them (a reload changes the configuration, not them).</summary>
    private readonly Dictionary<string, List<KeyValuePair<string, string?>>> _started =
        AtNextStart.ToDictionary(key => key, key => Flatten(configuration.GetSection(key)).ToList(), StringComparer.Ordinal);

    public async Task<ReloadOutcome> RunAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<Core.Accounts.Account> declared;
            IConfigurationRoot candidate;
            try
            {
                candidate = sources.Build();
                SettingsCheck.Verify(candidate);
                (candidate.GetSection(RefreshOptions.Section).Get<RefreshOptions>() ?? new RefreshOptions()).Policy();
                (candidate.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()).Check();
                declared = DeclaredAccounts.Read(candidate, tokenFiles);
            }
            catch (Exception ex) when (ex is SetupException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                var problem = $"{(ex is SetupException ? ex.Message : $"cannot read configuration file {sources.ConfigFile}: {ex.InnerException?.Message ?? ex.Message}")}; the running configuration stays";
                DaemonLog.ReloadRefused(logger, problem);
                return new ReloadOutcome(false, problem, []);
            }

            var pending = AtNextStart.Where(key => !_started[key].SequenceEqual(Flatten(candidate.GetSection(key)))).ToList();
            ((IConfigurationRoot)configuration).Reload();
            await DeclaredAccounts.ApplyAsync(declared, store, logger, cancellationToken).ConfigureAwait(false);
            DaemonLog.Reloaded(logger, declared.Count, pending.Count == 0 ? "none" : string.Join(", ", pending));
            return new ReloadOutcome(true, $"configuration reloaded; {declared.Count} declared account(s) applied", pending);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>A section's value and every value under it, by path, in order.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Flatten(IConfigurationSection section) =>
        section.AsEnumerable().Where(pair => pair.Value is not null).OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase);
}
