using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TokenBroker.TestUtils;

/// <summary>
/// A program of this repository run as a real child process (<c>dotnet FILE.dll</c>), with its
/// output captured line by line so tests can wait for a line and scan everything it printed.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource<string> Done)> _waiters = [];

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public IReadOnlyCollection<string> Stdout => _stdout;

    public IReadOnlyCollection<string> Stderr => _stderr;

    /// <summary>Everything the process printed so far, stdout then stderr.</summary>
    public string Output => string.Join('\n', _stdout.Concat(_stderr));

    /// <summary>
    /// Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>; the systemd
    /// variables are removed, <paramref name="environment"/> is added (a null value removes one).
    /// </summary>
    public static ChildProcess Start(string assembly, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartProgram("dotnet", [assembly, .. arguments], workingDirectory, environment);

    /// <summary>As <see cref="Start"/> for an executable (an installed apphost or native program) instead of an assembly.</summary>
    public static ChildProcess StartProgram(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "STATE_DIRECTORY", "CREDENTIALS_DIRECTORY", "RUNTIME_DIRECTORY", "NOTIFY_SOCKET", "INVOCATION_ID", "DISPLAY", "WAYLAND_DISPLAY", "TOKENBROKER_ADMIN_SOCKET" })
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Receive(e.Data, child._stdout, child._stdoutClosed);
        process.ErrorDataReceived += (_, e) => child.Receive(e.Data, child._stderr, child._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until a stdout line contains <paramref name="text"/>; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan? timeout = null)
    {
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var line = _stdout.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            _waiters.Add((text, waiter));
        }

        Task first;
        try
        {
            first = await Task.WhenAny(waiter.Task, _stdoutClosed.Task).WaitAsync(timeout ?? DefaultWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"process {Id} printed no line with '{text}' within {timeout ?? DefaultWait}:\n{Output}");
        }

        return first == waiter.Task || waiter.Task.IsCompleted
            ? await waiter.Task
            : throw new InvalidOperationException($"process ended its output before printing '{text}':\n{Output}");
    }

    /// <summary>Waits for the process to exit and for its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {Id} still running after {timeout ?? DefaultWait}:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Writes a line to the process's standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Sends SIGTERM, as systemd does to stop a service.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>Sends SIGKILL, as a crash or the OOM killer would: the process gets no chance to clean up.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Ends the process if it still runs; fails when its output holds an issued secret (see <see cref="SecretLedger"/>).</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        // Also waits for the end of both outputs.
        _process.WaitForExit();
        var command = (IReadOnlyList<string>)[_process.StartInfo.FileName, .. _process.StartInfo.ArgumentList];
        _process.Dispose();
        SecretLedger.AssertNoneInOutput(command, string.Join('\n', _stdout), string.Join('\n', _stderr));
    }

    private void Receive(string? line, ConcurrentQueue<string> lines, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            lines.Enqueue(line);
            if (lines != _stdout)
            {
                return;
            }

            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Done.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
