using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TokenBroker.Core.Admin;

namespace TokenBroker.Cli;

/// <summary>
/// <c>tokenbroker demo</c>: a newcomer's first minute, with no provider account. From a clone of the
/// repository it starts the test authorization server and a broker in a temporary directory, adds
/// an account, completes its consent as a browser would, then shows <c>status</c>, a token and the
/// answer Postfix would get; everything is removed afterwards.
/// </summary>
internal static class DemoCommand
{
    private const string Account = "demo";
    private const string User = "alice@example.test";
    private const string NextHop = "[smtp.example.test]:587";
    private static readonly TimeSpan StartWait = TimeSpan.FromMinutes(3);

    public static Command Create()
    {
        var noBuild = new Option<bool>("--no-build") { Description = "Use the programs as last built (Release) instead of building them first" };
        var command = new Command("demo", "Try the broker in a minute: a test authorization server, a broker, an account, consent, status, a token and a Postfix lookup") { noBuild };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var root = Repository() ?? throw new CliException(ExitCodes.Failure, "demo runs from a clone of the TokenBroker repository (it starts tests/TokenBroker.TestAuthServer); cd into one");
            var directory = Directory.CreateTempSubdirectory("tokenbroker-demo-").FullName;
            var started = new List<Process>();
            try
            {
                var server = await StartAsync(root, "tests/TokenBroker.TestAuthServer", "TokenBroker.TestAuthServer.dll", [], "Test authorization server at ", !result.GetValue(noBuild), started, output, cancellationToken).ConfigureAwait(false);
                var issuer = server["Test authorization server at ".Length..].Split(' ')[0];
                var config = Path.Combine(directory, "tokenbroker.json");
                await File.WriteAllTextAsync(config, new JsonObject
                {
                    ["TokenBroker"] = new JsonObject
                    {
                        ["StateDirectory"] = Path.Combine(directory, "state"),
                        ["AdminSocket"] = Path.Combine(directory, "admin.sock"),
                        ["Postfix"] = new JsonObject { ["Socket"] = Path.Combine(directory, "postfix.sock") },
                    },
                }.ToJsonString(), cancellationToken).ConfigureAwait(false);
                await StartAsync(root, "src/TokenBroker.Daemon", "tokenbrokerd.dll", ["--config", config], "tokenbrokerd ready", !result.GetValue(noBuild), started, output, cancellationToken).ConfigureAwait(false);
                await ShowAsync(new Uri(issuer), directory, output, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            finally
            {
                foreach (var process in started)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    process.Dispose();
                }

                Directory.Delete(directory, recursive: true);
            }
        });
        return command;
    }

    private static async Task ShowAsync(Uri issuer, string directory, TextWriter output, CancellationToken cancellationToken)
    {
        using var client = new AdminClient(Path.Combine(directory, "admin.sock"));
        await output.WriteLineAsync($"\n$ tokenbroker account add {Account} --provider generic --issuer {issuer} --username {User} --client-id tokenbroker --scope mail --scope offline_access --match {NextHop}").ConfigureAwait(false);
        await client.AddAccountAsync(Account, new AccountSpec("generic", User, "tokenbroker", null, null, issuer, null, null, null, ["mail", "offline_access"], [NextHop], null), cancellationToken).ConfigureAwait(false);

        await output.WriteLineAsync($"$ tokenbroker consent {Account}   (the demo plays the browser; the test server signs {User} in at once)").ConfigureAwait(false);
        var consent = await client.StartConsentAsync(Account, device: false, cancellationToken).ConfigureAwait(false);
        using (var handler = new SocketsHttpHandler { AllowAutoRedirect = false })
        using (var browser = new HttpClient(handler, disposeHandler: false))
        {
            using var signIn = await browser.GetAsync(consent.AuthorizationUri, cancellationToken).ConfigureAwait(false);
            using var callback = await browser.GetAsync(signIn.Headers.Location, cancellationToken).ConfigureAwait(false);
        }

        await output.WriteLineAsync((await client.WaitAsync(consent.Id, cancellationToken).ConfigureAwait(false)).Message).ConfigureAwait(false);

        await output.WriteLineAsync("\n$ tokenbroker status").ConfigureAwait(false);
        var report = await client.AccountsAsync(cancellationToken).ConfigureAwait(false);
        await Display.TableAsync(output, ["ACCOUNT", "STATE", "TOKEN EXPIRES", "NEXT REFRESH"],
            report.Accounts.Select(a => new[] { a.Name, Display.State(a.State), Display.Relative(a.ExpiresAt, report.Now), Display.Relative(a.NextRefresh, report.Now) })).ConfigureAwait(false);

        await output.WriteLineAsync($"\n$ tokenbroker token {Account}").ConfigureAwait(false);
        var token = await client.TokenAsync(Account, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"{Shorten(token.AccessToken)}   (what msmtp's passwordeval, mutt and mbsync get)").ConfigureAwait(false);

        await output.WriteLineAsync($"\n# Postfix asks smtp_sasl_password_maps for {NextHop}; the broker answers on its socketmap socket:").ConfigureAwait(false);
        var answer = await LookupAsync(Path.Combine(directory, "postfix.sock"), $"sasl {NextHop}", cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(Shorten(answer)).ConfigureAwait(false);
        await output.WriteLineAsync("\nThat is the whole loop. For a real mailbox: tokenbroker account add NAME --provider google|microsoft ..., then tokenbroker consent NAME (see the README).").ConfigureAwait(false);
    }

    /// <summary>Builds (unless told not to) and starts a program of the repository; returns the line it printed when ready.</summary>
    private static async Task<string> StartAsync(
        string root, string project, string assembly, string[] arguments, string ready, bool build, List<Process> started, TextWriter output, CancellationToken cancellationToken)
    {
        var projectDirectory = Path.Combine(root, project);
        if (build)
        {
            await output.WriteLineAsync($"building {project} ...").ConfigureAwait(false);
            using var builder = Process.Start(new ProcessStartInfo("dotnet", ["build", projectDirectory, "-c", "Release", "-v", "q", "--nologo"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            await builder.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await builder.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (builder.ExitCode != 0)
            {
                throw new CliException(ExitCodes.Failure, $"building {project} failed; run: dotnet build {projectDirectory} -c Release");
            }
        }

        var info = new ProcessStartInfo("dotnet", [Path.Combine(projectDirectory, "bin", "Release", "net10.0", assembly), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new CliException(ExitCodes.Failure, $"cannot start {assembly}");
        started.Add(process);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartWait);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token).ConfigureAwait(false) is { } line)
            {
                if (line.Contains(ready, StringComparison.Ordinal))
                {
                    // Keep reading, or a full pipe would stop the program.
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return line[line.IndexOf(ready, StringComparison.Ordinal)..];
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Failure, $"{assembly} was not ready after {StartWait.TotalMinutes:F0} minutes");
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var reason = (await errors.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        throw new CliException(ExitCodes.Failure, $"{assembly} stopped before it was ready (exit {process.ExitCode}){(reason is null ? string.Empty : $": {reason}")}");
    }

    /// <summary>One socketmap request (<c>LEN:NAME KEY,</c>) and its answer, as Postfix makes it.</summary>
    private static async Task<string> LookupAsync(string socketPath, string request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        var payload = Encoding.UTF8.GetBytes(request);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{payload.Length.ToString(CultureInfo.InvariantCulture)}:").Concat(payload).Append((byte)',').ToArray(), cancellationToken).ConfigureAwait(false);
        var reply = new List<byte>();
        var buffer = new byte[4096];
        while (reply.Count == 0 || reply[^1] != (byte)',')
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            reply.AddRange(buffer.AsSpan(0, read));
        }

        var text = Encoding.UTF8.GetString([.. reply]);
        return text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..].TrimEnd(',');
    }

    /// <summary>The start of a long value and its length: enough to recognise it, not to use it.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..40]}... ({text.Length} characters)";

    /// <summary>The clone this runs from: the current directory or the CLI's own location, or one above it, holding TokenBroker.sln.</summary>
    private static string? Repository() =>
        new[] { Environment.CurrentDirectory, AppContext.BaseDirectory }
            .SelectMany(start => Ancestors(new DirectoryInfo(start)))
            .FirstOrDefault(d => File.Exists(Path.Combine(d.FullName, "TokenBroker.sln")))?.FullName;

    private static IEnumerable<DirectoryInfo> Ancestors(DirectoryInfo? directory)
    {
        for (; directory is not null; directory = directory.Parent)
        {
            yield return directory;
        }
    }
}
