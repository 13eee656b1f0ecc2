using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>
/// A long-running child process (the scaffolded app) whose output is captured line by line.
/// Disposing it kills the whole process tree, whatever happened in the test.
/// </summary>
public sealed partial class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningProcess(Process process, string command, string workingDirectory)
    {
        _process = process;
        Command = command;
        WorkingDirectory = workingDirectory;
    }

    public string Command { get; }

    public string WorkingDirectory { get; }

    public bool HasExited => _exited.Task.IsCompleted;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static RunningProcess Start(
        string fileName,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment)
    {
        var startInfo = ProcessRunner.CreateStartInfo(fileName, arguments, workingDirectory, environment);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var running = new RunningProcess(process, ProcessRunner.FormatCommand(fileName, arguments), workingDirectory);
        process.OutputDataReceived += (_, e) => running.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => running.OnLine(e.Data);
        process.Exited += (_, _) => running._exited.TrySetResult();
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start: {running.Command}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Waits for an output line matching <paramref name="pattern"/>; fails with the output so far
    /// if the process exits first or the timeout passes.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        TaskCompletionSource<Match> found = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            foreach (var line in _output.ToString().Split('\n'))
            {
                var match = pattern.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }

            _waiters.Add((pattern, found));
        }

        var timeoutTask = Task.Delay(timeout);
        var first = await Task.WhenAny(found.Task, _exited.Task, timeoutTask).ConfigureAwait(false);
        if (first == found.Task)
        {
            return await found.Task.ConfigureAwait(false);
        }

        // Give the last lines a moment to arrive before quoting them.
        await Task.Delay(200).ConfigureAwait(false);
        var reason = first == _exited.Task
            ? $"the process exited with code {SafeExitCode()} first"
            : $"nothing matched within {timeout.TotalSeconds:F0}s";
        throw new ProcessFailedException(Describe($"Waiting for a line matching /{pattern}/: {reason}."));
    }

    /// <summary>Waits for Kestrel's "Now listening on" line of an app started with --urls http://127.0.0.1:0.</summary>
    public async Task<Uri> WaitForListeningAsync(TimeSpan timeout) =>
        new((await WaitForLineAsync(ListeningLine(), timeout).ConfigureAwait(false)).Groups["url"].Value);

    public string Describe(string what) =>
        $"{what}{Environment.NewLine}Command: {Command}{Environment.NewLine}" +
        $"Working directory: {WorkingDirectory}{Environment.NewLine}Output (tail):{Environment.NewLine}" +
        new ProcessResult(Command, WorkingDirectory, 0, Output, TimeSpan.Zero, false).Tail();

    public async ValueTask DisposeAsync()
    {
        ProcessRunner.KillTree(_process);
        await Task.WhenAny(_exited.Task, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<(TaskCompletionSource<Match> Found, Match Match)> hits = [];
        lock (_output)
        {
            _output.Append(line).Append('\n');
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var match = _waiters[i].Pattern.Match(line);
                if (match.Success)
                {
                    hits.Add((_waiters[i].Found, match));
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var (found, match) in hits)
        {
            found.TrySetResult(match);
        }
    }

    private string SafeExitCode()
    {
        try
        {
            return _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
