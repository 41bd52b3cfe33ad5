using LiteDB;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Storage;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests;

public sealed class DaemonStartupTests : IDisposable
{
    private const int ExitConfig = 78;
    private readonly DaemonRun _run = new();

    [Fact]
    public async Task First_start_creates_private_state_key_and_store_logs_where_and_stops_on_SIGTERM()
    {
        using var daemon = await _run.StartReadyAsync();

        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(_run.Layout.Directory));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_run.Layout.DefaultKeyFile));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_run.Layout.StoreFile));
        Assert.Contains(daemon.Stdout, l => l.Contains($"State directory: {_run.Layout.Directory} (created)", StringComparison.Ordinal));
        Assert.Contains(daemon.Stdout, l => l.Contains($"Master key: {_run.Layout.DefaultKeyFile}", StringComparison.Ordinal));
        Assert.Contains(daemon.Stdout, l => l.Contains($"Store: {_run.Layout.StoreFile} (created)", StringComparison.Ordinal));
        Assert.Contains(daemon.Stdout, l => l.Contains("Next: tokenbroker account add", StringComparison.Ordinal));

        daemon.Terminate();

        Assert.Equal(0, await daemon.WaitForExitAsync());
        Assert.Contains(daemon.Stdout, l => l.Contains("tokenbrokerd stopping", StringComparison.Ordinal));
        Assert.Empty(daemon.Stderr);
    }

    [Fact]
    public async Task Without_a_config_file_the_state_lives_in_var_under_the_working_directory()
    {
        using var daemon = await _run.StartReadyAsync([]);

        Assert.True(File.Exists(_run.Directory.Combine("var", "tokenbroker.db")));
        Assert.Contains(daemon.Stdout, l => l.Contains("No configuration file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restart_reuses_the_key_and_the_store()
    {
        using (var first = await _run.StartReadyAsync())
        {
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        var key = File.ReadAllBytes(_run.Layout.DefaultKeyFile);
        using var second = await _run.StartReadyAsync();

        Assert.Equal(key, File.ReadAllBytes(_run.Layout.DefaultKeyFile));
        Assert.Contains(second.Stdout, l => l.EndsWith($"Store: {_run.Layout.StoreFile}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_state_directory_is_refused_and_the_first_keeps_running()
    {
        using var first = await _run.StartReadyAsync();
        using var second = _run.Start();

        Assert.Equal(ExitConfig, await second.WaitForExitAsync());
        Assert.Contains("another tokenbrokerd", second.Output, StringComparison.Ordinal);
        Assert.Contains(_run.Layout.LockFile, second.Output, StringComparison.Ordinal);

        first.Terminate();
        Assert.Equal(0, await first.WaitForExitAsync());
    }

    [Fact]
    public async Task A_wrong_master_key_is_refused_by_source_and_the_store_is_left_byte_for_byte()
    {
        using (var first = await _run.StartReadyAsync())
        {
            first.Terminate();
            await first.WaitForExitAsync();
        }

        var otherKey = _run.Directory.Combine("other.key");
        MasterKeyFile.Create(otherKey).Dispose();
        _run.WriteConfig(new { MasterKeyFile = otherKey });
        var before = _run.Directory.Snapshot();

        using var daemon = _run.Start();

        Assert.Equal(ExitConfig, await daemon.WaitForExitAsync());
        var error = Assert.Single(daemon.Stderr);
        Assert.Contains(otherKey, error, StringComparison.Ordinal);
        Assert.Contains("left untouched", error, StringComparison.Ordinal);
        AssertUnchanged(before);
    }

    [Fact]
    public async Task A_corrupt_store_is_refused_by_name_and_left_as_it_was()
    {
        using (var first = await _run.StartReadyAsync())
        {
            first.Terminate();
            await first.WaitForExitAsync();
        }

        var bytes = File.ReadAllBytes(_run.Layout.StoreFile);
        File.WriteAllBytes(_run.Layout.StoreFile, bytes[..(bytes.Length / 2)]);
        var before = _run.Directory.Snapshot();

        using var daemon = _run.Start();

        Assert.Equal(ExitConfig, await daemon.WaitForExitAsync());
        Assert.Contains($"store file {_run.Layout.StoreFile} is corrupt", Assert.Single(daemon.Stderr), StringComparison.Ordinal);
        AssertUnchanged(before);
    }

    [Fact]
    public async Task A_key_file_readable_by_others_is_refused_with_the_chmod_to_run()
    {
        var key = _run.Directory.Combine("loose.key");
        MasterKeyFile.Create(key).Dispose();
        File.SetUnixFileMode(key, PrivateFiles.FileMode | UnixFileMode.OtherRead);
        _run.WriteConfig(new { MasterKeyFile = key });

        using var daemon = _run.Start();

        Assert.Equal(ExitConfig, await daemon.WaitForExitAsync());
        Assert.Contains($"chmod 600 {key}", Assert.Single(daemon.Stderr), StringComparison.Ordinal);
        Assert.False(File.Exists(_run.Layout.StoreFile));
    }

    [Fact]
    public async Task Under_systemd_the_state_directory_and_credential_come_from_the_environment()
    {
        var credentials = _run.Directory.Combine("credentials");
        Directory.CreateDirectory(credentials);
        var credential = Path.Combine(credentials, "tokenbroker.key");
        MasterKeyFile.Create(credential).Dispose();
        var state = _run.Directory.Combine("systemd-state");

        using var daemon = await _run.StartReadyAsync([], new Dictionary<string, string?>
        {
            ["STATE_DIRECTORY"] = state,
            ["CREDENTIALS_DIRECTORY"] = credentials,
        });

        Assert.True(File.Exists(Path.Combine(state, "tokenbroker.db")));
        Assert.False(File.Exists(Path.Combine(state, "tokenbroker.key")));
        Assert.Contains(daemon.Stdout, l => l.Contains($"Master key: {credential}", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Stdout, l => l.Contains("sits in the state directory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Environment_variables_override_the_config_file()
    {
        _run.WriteConfig();
        var state = _run.Directory.Combine("from-environment");

        using var daemon = await _run.StartReadyAsync(null, new Dictionary<string, string?> { ["TOKENBROKER__StateDirectory"] = state });

        Assert.True(File.Exists(Path.Combine(state, "tokenbroker.db")));
        Assert.False(Directory.Exists(_run.Layout.Directory));
    }

    [Fact]
    public async Task A_tampered_account_is_reported_and_the_others_are_still_served()
    {
        var key = _run.Directory.Combine("tokenbroker.key");
        using (var masterKey = MasterKeyFile.Create(key))
        using (var store = LiteDbGrantStore.Open(_run.Layout, masterKey))
        {
            foreach (var name in new[] { "damaged", "healthy" })
            {
                var account = Samples.Account(name);
                await store.SaveAccountAsync(account, CancellationToken.None);
                await store.UpdateGrantAsync(account.Name, _ => Samples.ActiveGrant(Samples.Now), CancellationToken.None);
            }
        }

        using (var database = new LiteDatabase(new ConnectionString { Filename = _run.Layout.StoreFile, Upgrade = false }))
        {
            var accounts = database.GetCollection("accounts");
            var document = accounts.FindById("damaged");
            document["grant"]["refresh_token"].AsBinary[20] ^= 0x80;
            accounts.Update(document);
        }

        // Declared in the configuration too: its settings cannot be applied without losing what is left of it.
        _run.WriteConfig(new { MasterKeyFile = key, Accounts = new { damaged = new { Provider = "google", Username = "d@example.test", ClientId = "id" } } });
        using var daemon = await _run.StartReadyAsync();

        Assert.Contains(daemon.Stdout, l => l.Contains("Account damaged from the configuration: not applied: the stored account cannot be read", StringComparison.Ordinal));
        Assert.Contains(daemon.Stdout, l => l.Contains("Account damaged is unreadable", StringComparison.Ordinal) && l.Contains("refresh_token", StringComparison.Ordinal));
        Assert.Contains(daemon.Stdout, l => l.Contains("Account healthy: Active", StringComparison.Ordinal));
        Assert.Contains(daemon.Stdout, l => l.Contains("ready: 1 account(s), 1 unreadable", StringComparison.Ordinal));
        foreach (var secret in new[] { Samples.RefreshTokenText, Samples.AccessTokenText, Samples.ClientSecretText })
        {
            Assert.DoesNotContain(secret, daemon.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_missing_config_file_is_named()
    {
        var missing = _run.Directory.Combine("missing.json");

        using var daemon = _run.Start(["--config", missing]);

        Assert.Equal(ExitConfig, await daemon.WaitForExitAsync());
        Assert.Contains($"cannot read configuration file {missing}", Assert.Single(daemon.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_config_file_is_named()
    {
        File.WriteAllText(_run.ConfigFile, "{ \"TokenBroker\": ");

        await AssertStopsNamingAsync($"cannot read configuration file {_run.ConfigFile}");
    }

    [Theory]
    [InlineData("{\"StateDirectry\": \"/tmp/x\"}", "TokenBroker:StateDirectry is not a setting; TokenBroker takes Accounts, Admin, AdminSocket, Consent, ")]
    [InlineData("{\"Refresh\": {\"Concurency\": 8}}", "TokenBroker:Refresh:Concurency is not a setting; TokenBroker:Refresh takes Concurrency, KeepAlive, ")]
    [InlineData("{\"Postfx\": {}}", "TokenBroker:Postfx is not a setting")]
    [InlineData("{\"Consent\": {\"Port\": \"eighty\"}}", "'TokenBroker:Consent:Port' to type 'System.Int32'")]
    [InlineData("{\"Refresh\": {\"KeepAlive\": \"a week\"}}", "'TokenBroker:Refresh:KeepAlive' to type 'System.TimeSpan'")]
    [InlineData("{\"Metrics\": {\"Enabled\": true, \"Port\": 70000}}", "TokenBroker:Metrics:Port must be 1-65535, not 70000")]
    [InlineData("{\"Metrics\": {\"Enable\": true}}", "TokenBroker:Metrics:Enable is not a setting; TokenBroker:Metrics takes Enabled, Port, UnhealthyWhenNeedsConsent")]
    [InlineData("{\"Storage\": {\"Provider\": \"mysql\"}}", "TokenBroker:Storage:Provider must be litedb or postgres, not mysql")]
    [InlineData("{\"Storage\": {\"Provider\": \"postgres\"}}", "TokenBroker:Storage:Provider is postgres but no connection string is given: set TokenBroker:Storage:ConnectionStringFile")]
    [InlineData("{\"Storage\": {\"ConnectionString\": \"Host=db\"}}", "TokenBroker:Storage:ConnectionString and ConnectionStringFile are for Provider postgres")]
    [InlineData("{\"Storage\": {\"Provider\": \"postgres\", \"ConnectionString\": \"Host=db\", \"ConnectionStringFile\": \"/x\"}}", "TokenBroker:Storage: give ConnectionString or ConnectionStringFile, not both")]
    [InlineData("{\"Storage\": {\"Provider\": \"postgres\", \"ConnectionStringFile\": \"/nonexistent/pgconn\"}}", "cannot read connection string file /nonexistent/pgconn")]
    [InlineData("{\"Storage\": {\"Provider\": \"postgres\", \"ConnectionString\": \"Host=db\", \"CheckInterval\": \"01:00:00\"}}", "TokenBroker:Storage:CheckInterval must be 00:00:00.1-00:01:00, not 01:00:00")]
    public async Task An_unknown_key_or_a_value_of_the_wrong_type_stops_the_daemon_naming_the_key(string section, string message)
    {
        File.WriteAllText(_run.ConfigFile, $"{{\"TokenBroker\": {section}}}");

        await AssertStopsNamingAsync(message);
    }

    [Fact]
    public async Task A_connection_string_file_readable_by_others_is_refused_with_the_chmod_to_run()
    {
        var file = _run.Directory.Combine("pgconn");
        File.WriteAllText(file, "Host=127.0.0.1;Username=u;Password=p;Database=d");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.WriteAllText(_run.ConfigFile, $"{{\"TokenBroker\": {{\"Storage\": {{\"Provider\": \"postgres\", \"ConnectionStringFile\": \"{file}\"}}}}}}");

        await AssertStopsNamingAsync($"connection string file {file} is accessible by group or others (mode 0644); run: chmod 600 {file}");
    }

    [Fact]
    public async Task An_unreachable_database_is_a_temporary_failure_named_without_its_password()
    {
        var port = FreePorts.Take(1)[0];
        File.WriteAllText(_run.ConfigFile, $"{{\"TokenBroker\": {{\"StateDirectory\": \"{_run.Layout.Directory}\", \"Storage\": {{\"Provider\": \"postgres\", " +
            $"\"ConnectionString\": \"Host=127.0.0.1;Port={port};Username=u;Password=never-printed-pw;Database=mail;Timeout=2\"}}}}}}");

        using var daemon = _run.Start();

        // 75, not 78: the unit's Restart=on-failure starts it again until the database answers.
        Assert.Equal(75, await daemon.WaitForExitAsync());
        Assert.Contains($"cannot reach the PostgreSQL store at 127.0.0.1:{port}/mail:", Assert.Single(daemon.Stderr), StringComparison.Ordinal);
        Assert.DoesNotContain("never-printed-pw", daemon.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"bad name!\": {}}", "TokenBroker:Accounts:bad name!: 'bad name!' is not a valid account name")]
    [InlineData("{\"a\": {\"Provder\": \"google\"}}", "TokenBroker:Accounts:a:Provder is not a setting")]
    [InlineData("{\"a\": {\"Provider\": \"google\", \"Username\": \"u@example.test\"}}", "TokenBroker:Accounts:a: ClientId is required")]
    [InlineData("{\"a\": {\"Provider\": \"generic\", \"Username\": \"u@example.test\", \"ClientId\": \"c\"}}", "TokenBroker:Accounts:a: a generic provider needs Issuer URL, or AuthorizeUrl URL and TokenUrl URL")]
    [InlineData("{\"a\": {\"Provider\": \"google\", \"Username\": \"u@example.test\", \"ClientId\": \"c\", \"ClientSecretFile\": \"/nonexistent/secret\"}}", "TokenBroker:Accounts:a:ClientSecretFile: cannot read /nonexistent/secret")]
    [InlineData("{\"a\": {\"Provider\": \"google\", \"Username\": \"u@example.test\", \"ClientId\": \"c\", \"TokenFile\": {\"Path\": \"/etc/a.token\"}}}", "TokenBroker:Accounts:a:TokenFile:Path: token file /etc/a.token is outside the allowed directories")]
    public async Task A_declared_account_that_cannot_work_stops_the_daemon_naming_its_key(string accounts, string message)
    {
        File.WriteAllText(_run.ConfigFile, $"{{\"TokenBroker\": {{\"StateDirectory\": \"{_run.Layout.Directory}\", \"Accounts\": {accounts}}}}}");

        await AssertStopsNamingAsync(message);
    }

    [Theory]
    [InlineData("Concurrency", 0, "TokenBroker:Refresh:Concurrency must be 1-256, not 0")]
    [InlineData("KeepAlive", "00:05:00", "TokenBroker:Refresh:KeepAlive must be at least 01:00:00")]
    [InlineData("LookupWait", "00:10:00", "TokenBroker:Refresh:LookupWait must be 00:00:00-00:01:00")]
    [InlineData("NotifyTimeout", "00:00:00", "TokenBroker:Refresh:NotifyTimeout must be positive")]
    public async Task A_bad_refresh_setting_stops_the_daemon_naming_it(string key, object value, string message)
    {
        _run.WriteConfig(new Dictionary<string, object> { ["Refresh"] = new Dictionary<string, object> { [key] = value } });

        await AssertStopsNamingAsync(message);
    }

    [Theory]
    [InlineData("SocketMode", "0999", "TokenBroker:Postfix:SocketMode must be an octal mode such as 0660, not '0999'")]
    [InlineData("SocketGroup", "no-such-group-here", "TokenBroker:Postfix:SocketGroup names group 'no-such-group-here', which does not exist")]
    [InlineData("Port", 70000, "TokenBroker:Postfix:Port must be 1-65535, not 70000")]
    [InlineData("MapName", "my map", "TokenBroker:Postfix:MapName must be printable ASCII without spaces, not 'my map'")]
    [InlineData("RelayMapName", "sasl", "TokenBroker:Postfix:RelayMapName must be printable ASCII without spaces and differ from MapName")]
    [InlineData("MaxConnections", 0, "TokenBroker:Postfix:MaxConnections must be 1-100000, not 0")]
    public async Task A_bad_postfix_setting_stops_the_daemon_naming_it(string key, object value, string message)
    {
        _run.WriteConfig(new Dictionary<string, object> { ["Postfix"] = new Dictionary<string, object> { [key] = value } });

        await AssertStopsNamingAsync(message);
    }

    [Fact]
    public async Task The_postfix_socket_gets_the_configured_group_and_mode()
    {
        var group = File.ReadLines("/etc/group").Select(l => l.Split(':')).First(f => f[0] != "root")[0];
        _run.WriteConfig(new Dictionary<string, object> { ["Postfix"] = new Dictionary<string, object> { ["SocketGroup"] = group, ["SocketMode"] = "0640" } });

        using var daemon = _run.Start();
        await daemon.WaitForLineAsync("Postfix lookups on unix:");

        var socket = new FileInfo(Path.Combine(_run.Layout.Directory, "postfix.sock"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, socket.UnixFileMode);
        Assert.Equal(group, GroupOf(socket.FullName));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--config")]
    public async Task A_usage_error_exits_64_with_the_usage(string argument)
    {
        using var daemon = _run.Start([argument]);

        Assert.Equal(64, await daemon.WaitForExitAsync());
        Assert.Contains("Usage: tokenbrokerd [--config FILE]", daemon.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _run.Dispose();

    private void AssertUnchanged(IReadOnlyDictionary<string, byte[]> before)
    {
        var after = _run.Directory.Snapshot();
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.All(before, file => Assert.True(file.Value.AsSpan().SequenceEqual(after[file.Key]), $"{file.Key} changed"));
    }

    private static string GroupOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%G", path]) { RedirectStandardOutput = true })!;
        var group = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return group;
    }

    /// <summary>Starts the daemon on the current configuration and checks it stops with exit 78 and one stderr line holding <paramref name="message"/>.</summary>
    private async Task AssertStopsNamingAsync(string message)
    {
        using var daemon = _run.Start();

        Assert.Equal(ExitConfig, await daemon.WaitForExitAsync());
        Assert.Contains(message, Assert.Single(daemon.Stderr), StringComparison.Ordinal);
    }
}
