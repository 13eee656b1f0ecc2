using System.Collections;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>
/// Runs the dotnet CLI against the private template hive: every child gets the same
/// isolated DOTNET_CLI_HOME and one shared NuGet packages folder.
/// </summary>
public sealed class DotnetCli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public DotnetCli(string hiveDirectory, string nugetPackagesDirectory)
    {
        HiveDirectory = hiveDirectory;
        NuGetPackagesDirectory = nugetPackagesDirectory;
        DotnetPath = FindDotnet();
        Environment = BuildEnvironment(hiveDirectory, nugetPackagesDirectory);
    }

    /// <summary>The DOTNET_CLI_HOME of the private hive; templates are installed under its .templateengine.</summary>
    public string HiveDirectory { get; }

    public string NuGetPackagesDirectory { get; }

    public string DotnetPath { get; }

    /// <summary>Variables set (or, when null, removed) for every child process.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, string workingDirectory, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(DotnetPath, arguments, workingDirectory, Environment, timeout ?? DefaultTimeout);

    /// <summary>Runs dotnet with the hive environment plus <paramref name="extra"/>.</summary>
    public Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> extra, TimeSpan? timeout = null)
    {
        var environment = new Dictionary<string, string?>(Environment, StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return ProcessRunner.RunAsync(DotnetPath, arguments, workingDirectory, environment, timeout ?? DefaultTimeout);
    }

    /// <summary>Starts a long-running dotnet process (e.g. the scaffolded app) with the hive environment plus <paramref name="extra"/>.</summary>
    public RunningProcess Start(IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> extra)
    {
        var environment = new Dictionary<string, string?>(Environment, StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return RunningProcess.Start(DotnetPath, arguments, workingDirectory, environment);
    }

    /// <summary>NUGET_PACKAGES if set, else the real user's ~/.nuget/packages, so a CI run reuses one cache
    /// (the isolated DOTNET_CLI_HOME would otherwise move NuGet's default folder into the hive).</summary>
    public static string SharedNuGetPackagesDirectory()
    {
        var configured = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var home = System.Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        }

        return Path.Combine(home, ".nuget", "packages");
    }

    private static string FindDotnet()
    {
        var hostPath = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        var processPath = System.Environment.ProcessPath;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        return "dotnet";
    }

    private static string Configured(string variable, string fallback) =>
        System.Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback;

    private static Dictionary<string, string?> BuildEnvironment(string hive, string nugetPackages)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);

        // The test host runs inside an MSBuild/VSTest launched process: do not let its MSBuild
        // locations or test-platform settings leak into the builds and test runs we start.
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM_", StringComparison.OrdinalIgnoreCase)
                || key is "ASPNETCORE_ENVIRONMENT" or "DOTNET_ENVIRONMENT")
            {
                environment[key] = null;
            }
        }

        // Where the postgres/redis variant's own tests find their servers: what .ci/run starts, unless set.
        environment["AUTHAPI_TEST_POSTGRES"] = Configured("AUTHAPI_TEST_POSTGRES", "Host=127.0.0.1;Port=5432;Username=authapi;Password=authapi;Database=postgres");
        environment["AUTHAPI_TEST_REDIS"] = Configured("AUTHAPI_TEST_REDIS", "127.0.0.1:6379");
        environment["DOTNET_CLI_HOME"] = hive;
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["NUGET_PACKAGES"] = nugetPackages;
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        environment["DOTNET_ADD_GLOBAL_TOOLS_TO_PATH"] = "false";
        environment["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "true";
        environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No build servers outliving the test run, and plain (parseable) console output.
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        environment["MSBUILDTERMINALLOGGER"] = "off";
        return environment;
    }
}
