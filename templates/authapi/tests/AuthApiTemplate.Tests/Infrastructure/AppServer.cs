using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// The app's own dll serving HTTP in a process of its own, on a free loopback port, the way it runs in
/// production (Kestrel, its own thread pool, its own logging). Stopped and its output written to the test
/// sink on dispose.
/// </summary>
public sealed partial class AppServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppServer(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="connectionString">The database the server uses.</param>
    /// <param name="environment">The hosting environment (Development applies migrations on start).</param>
    /// <param name="settings">Configuration keys (with ':'), passed as environment variables.</param>
    public static async Task<AppServer> StartAsync(string connectionString, string environment, IReadOnlyDictionary<string, string> settings)
    {
        var appDll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        start.ArgumentList.Add(appDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["DOTNET_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ConnectionStrings__Default"] = connectionString;
        // The port is read from this line of the lifetime log.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
#if (useRedis)
        start.Environment["ConnectionStrings__Redis"] = TestServices.Redis;
        start.Environment["Redis__KeyPrefix"] = TestServices.NewRedisPrefix();
#endif
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var server = new AppServer(new Process { StartInfo = start, EnableRaisingEvents = true });
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("The app exited before it listened:\n" + server.Output));
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();

        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        TestSink.WriteLog("server", Output);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
        }

        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningOn();
}
