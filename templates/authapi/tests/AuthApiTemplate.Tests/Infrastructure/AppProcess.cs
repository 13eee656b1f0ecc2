using System.Diagnostics;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>Runs the app's own dll as a new process, the way an operator runs its commands.</summary>
public static class AppProcess
{
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string connectionString, string environment, params string[] args) =>
        RunAsync(connectionString, environment, new Dictionary<string, string>(), args);

    /// <summary>Runs a command with <paramref name="settings"/> (configuration keys) in its environment.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string connectionString, string environment, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var appDll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The content root, so appsettings.{Environment}.json next to the dll applies.
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        start.ArgumentList.Add(appDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ConnectionStrings__Default"] = connectionString;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

#if (useRedis)
        start.Environment["ConnectionStrings__Redis"] = TestServices.Redis;
        start.Environment["Redis__KeyPrefix"] = TestServices.NewRedisPrefix();
#endif

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        // A command's log lines go to standard error; standard output is what the command prints for
        // the operator (a new key's secret, once, by design), so only the log stream goes to the sink.
        TestSink.WriteLog("command", await errors);
        return (process.ExitCode, await output, await errors);
    }

    public static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
}
