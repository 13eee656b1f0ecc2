using System.Diagnostics;
using System.Text;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>What one finished (or timed out) child process did.</summary>
public sealed record ProcessResult(
    string Command,
    string WorkingDirectory,
    int ExitCode,
    string Output,
    TimeSpan Duration,
    bool TimedOut)
{
    /// <summary>How many trailing output lines a failure message quotes.</summary>
    public const int TailLines = 120;

    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>The last line printed: where the app's commands put what a script reads (a secret, a token pair).</summary>
    public string LastLine => Output.TrimEnd().Split('\n')[^1].Trim();

    /// <summary>The last <paramref name="lines"/> lines of the combined stdout/stderr.</summary>
    public string Tail(int lines = TailLines)
    {
        var all = Output.Split('\n');
        var skipped = Math.Max(0, all.Length - lines);
        var tail = string.Join('\n', all.Skip(skipped));
        return skipped > 0 ? $"[... {skipped} earlier lines omitted ...]\n{tail}" : tail;
    }

    /// <summary>A message that explains the run in a CI log: command, directory, exit code, output tail.</summary>
    public string Describe(string? what = null)
    {
        var status = TimedOut ? $"timed out after {Duration.TotalSeconds:F0}s" : $"exited with code {ExitCode} after {Duration.TotalSeconds:F1}s";
        var header = what is null ? string.Empty : what + Environment.NewLine;
        return $"{header}Command: {Command}{Environment.NewLine}" +
               $"Working directory: {WorkingDirectory}{Environment.NewLine}" +
               $"Result: {status}{Environment.NewLine}" +
               $"Output (tail):{Environment.NewLine}{Tail()}";
    }

    /// <summary>Throws (failing the calling test) unless the process exited with code 0 in time.</summary>
    public ProcessResult EnsureSuccess(string? what = null)
    {
        if (!Succeeded)
        {
            throw new ProcessFailedException(Describe(what ?? "A child process failed."));
        }

        return this;
    }
}

public sealed class ProcessFailedException(string message) : Exception(message);

/// <summary>Runs child processes with an explicit environment, working directory and timeout.</summary>
public static class ProcessRunner
{
    /// <summary>How long to wait for stdout/stderr to close after the process itself exited
    /// (a grandchild that inherited the pipes, e.g. a build server, must not hang the test).</summary>
    private static readonly TimeSpan StreamDrainGrace = TimeSpan.FromSeconds(10);

    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var startInfo = CreateStartInfo(fileName, arguments, workingDirectory, environment);
        var command = FormatCommand(fileName, arguments);
        var output = new StringBuilder();
        var stdoutClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderrClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data, stdoutClosed);
        process.ErrorDataReceived += (_, e) => Append(e.Data, stderrClosed);
        process.Exited += (_, _) => exited.TrySetResult();

        var stopwatch = Stopwatch.StartNew();
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start: {command}");
        }

        process.StandardInput.Close(); // nothing may wait for an answer from a person
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = false;
        using (var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeoutCts.CancelAfter(timeout);
            try
            {
                await exited.Task.WaitAsync(timeoutCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = !cancellationToken.IsCancellationRequested;
                KillTree(process);
                if (!timedOut)
                {
                    throw;
                }
            }
        }

        // Let the pipes drain; do not wait forever for a grandchild that keeps them open.
        await Task.WhenAny(Task.WhenAll(stdoutClosed.Task, stderrClosed.Task), Task.Delay(StreamDrainGrace)).ConfigureAwait(false);
        if (!timedOut)
        {
            process.WaitForExit();
        }

        stopwatch.Stop();
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        return new ProcessResult(
            command,
            workingDirectory,
            timedOut ? -1 : process.ExitCode,
            text,
            stopwatch.Elapsed,
            timedOut);

        void Append(string? line, TaskCompletionSource closed)
        {
            if (line is null)
            {
                closed.TrySetResult();
                return;
            }

            lock (output)
            {
                output.Append(line).Append('\n');
            }
        }
    }

    public static ProcessStartInfo CreateStartInfo(
        string fileName,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        return startInfo;
    }

    public static string FormatCommand(string fileName, IReadOnlyList<string> arguments) =>
        string.Join(' ', new[] { fileName }.Concat(arguments).Select(Quote));

    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting while we tried; nothing left to kill.
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=,@+%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
