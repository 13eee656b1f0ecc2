using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>All test classes share one <see cref="TemplatePackFixture"/> per run.</summary>
[CollectionDefinition(Name)]
public sealed class TemplatePackCollection : ICollectionFixture<TemplatePackFixture>
{
    public const string Name = "Template pack";
}

/// <summary>
/// Packs TemplatePack.csproj once, installs the .nupkg into a private template hive (a temp
/// DOTNET_CLI_HOME) and hands out scaffolded + built apps, one per distinct <see cref="Variant"/>.
/// Everything lives in one temp folder outside the repository (so the repository's own
/// .editorconfig / Directory.Build.* never apply), removed at the end unless AUTHAPI_KEEP_TEMP=1.
/// </summary>
public sealed class TemplatePackFixture : IAsyncLifetime
{
    public const string PackageId = "AuthApi.Templates";
    public const string RunScriptActionId = "3A7C4B45-1F5D-4A30-959A-51B88E82B5D2";

    /// <summary>At most this many scaffold+build jobs at once (the machines have 2 cores).</summary>
    public const int MaxConcurrentBuilds = 2;

    private static readonly TimeSpan ScaffoldTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Lazy<Task<ScaffoldedApp>>> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _variantKeys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _buildSlots = new(MaxConcurrentBuilds, MaxConcurrentBuilds);
    private readonly IMessageSink _diagnostics;

    public TemplatePackFixture(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
        RepoRoot = RepoLayout.FindRepoRoot();
        TempRoot = Path.Combine(Path.GetTempPath(), "authapi-templates-tests-" + Guid.NewGuid().ToString("N")[..12]);
        if (RepoLayout.IsUnder(TempRoot, RepoRoot))
        {
            throw new InvalidOperationException($"The temp folder {TempRoot} lies inside the repository {RepoRoot}; set TMPDIR elsewhere.");
        }

        Cli = new DotnetCli(Path.Combine(TempRoot, "hive"), DotnetCli.SharedNuGetPackagesDirectory());
        Templates = TemplateDefinition.LoadAll(RepoRoot);
    }

    public string RepoRoot { get; }

    public string TempRoot { get; }

    public string ArtifactsDirectory => Path.Combine(TempRoot, "artifacts");

    public string AppsDirectory => Path.Combine(TempRoot, "apps");

    public DotnetCli Cli { get; }

    /// <summary>The templates found under templates/ in the repository.</summary>
    public IReadOnlyList<TemplateDefinition> Templates { get; }

    public string PackagePath { get; private set; } = string.Empty;

    public ProcessResult? PackResult { get; private set; }

    public ProcessResult? InstallResult { get; private set; }

    /// <summary>dotnet new list &lt;shortName&gt; for every template short name, before the install.</summary>
    public IReadOnlyDictionary<string, ProcessResult> ListBeforeInstall { get; private set; } = new Dictionary<string, ProcessResult>();

    public static bool KeepTemp => Environment.GetEnvironmentVariable("AUTHAPI_KEEP_TEMP") == "1";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Cli.HiveDirectory);
        Directory.CreateDirectory(ArtifactsDirectory);
        Directory.CreateDirectory(AppsDirectory);
        CopyUserNuGetConfigIntoHive();
        Log($"Temp folder: {TempRoot} (hive {Cli.HiveDirectory}, NUGET_PACKAGES {Cli.NuGetPackagesDirectory})");

        // 1. Pack the repository's templates exactly as users get them.
        PackResult = (await Cli.RunAsync(
            [
                "pack", Path.Combine(RepoRoot, RepoLayout.PackProjectFileName),
                "-c", "Release",
                "-o", ArtifactsDirectory,
                // Keep the pack project's obj/bin out of the repository and apart from other runs.
                "--artifacts-path", Path.Combine(TempRoot, "pack-build"),
            ],
            RepoRoot,
            TimeSpan.FromMinutes(5))).EnsureSuccess("dotnet pack TemplatePack.csproj failed.");
        var packages = Directory.GetFiles(ArtifactsDirectory, PackageId + ".*.nupkg")
            .Where(p => !p.EndsWith(".symbols.nupkg", StringComparison.Ordinal))
            .ToList();
        if (packages.Count != 1)
        {
            throw new InvalidOperationException(
                $"Expected exactly one {PackageId}.*.nupkg in {ArtifactsDirectory}, found: [{string.Join(", ", packages)}].\n{PackResult.Describe()}");
        }

        PackagePath = packages[0];
        Log($"Packed {PackagePath} in {PackResult.Duration.TotalSeconds:F1}s");

        // 2. The private hive must not know the templates yet.
        var before = new Dictionary<string, ProcessResult>(StringComparer.Ordinal);
        foreach (var shortName in Templates.SelectMany(t => t.ShortNames).Distinct(StringComparer.Ordinal))
        {
            before[shortName] = await ListAsync(shortName);
            if (IsListed(before[shortName], shortName))
            {
                throw new InvalidOperationException(
                    $"Template '{shortName}' is already installed in the supposedly empty hive {Cli.HiveDirectory}.\n{before[shortName].Describe()}");
            }
        }

        ListBeforeInstall = before;

        // 3. Install the packed .nupkg into the hive.
        InstallResult = (await Cli.RunAsync(["new", "install", PackagePath], TempRoot, TimeSpan.FromMinutes(3)))
            .EnsureSuccess($"dotnet new install {PackagePath} failed.");
        Log($"Installed into the hive in {InstallResult.Duration.TotalSeconds:F1}s");
    }

    public async Task DisposeAsync()
    {
        // Wait for every scaffold/build still in flight before removing its folder.
        foreach (var app in _apps.Values.Where(lazy => lazy.IsValueCreated))
        {
            try
            {
                await app.Value.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Already reported to the test that awaited it.
            }
        }

        if (KeepTemp)
        {
            Log($"AUTHAPI_KEEP_TEMP=1: keeping {TempRoot}");
        }
        else
        {
            try
            {
                Directory.Delete(TempRoot, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log($"Could not delete {TempRoot}: {ex.Message}");
            }
        }

        _buildSlots.Dispose();
    }

    /// <summary>dotnet new list &lt;shortName&gt; in the hive.</summary>
    public Task<ProcessResult> ListAsync(string shortName) =>
        Cli.RunAsync(["new", "list", shortName, "--ignore-constraints"], TempRoot, TimeSpan.FromMinutes(2));

    /// <summary>True when the list output has a table row whose Short Name column holds <paramref name="shortName"/>.</summary>
    public static bool IsListed(ProcessResult list, string shortName) =>
        list.ExitCode == 0
        && list.Output.Split('\n').Any(line =>
            Regex.IsMatch(line, @"(^|\s|,)" + Regex.Escape(shortName) + @"(,|\s|$)")
            && !line.Contains("matched your input", StringComparison.Ordinal)
            && !line.Contains("No templates found", StringComparison.Ordinal));

    /// <summary>The variant scaffolded and built, once per run (later callers get the same task).</summary>
    public Task<ScaffoldedApp> GetAppAsync(Variant variant)
    {
        var key = _variantKeys.GetOrAdd(variant.Id, variant.Key);
        if (key != variant.Key)
        {
            throw new InvalidOperationException($"Two different variants share the id '{variant.Id}'.");
        }

        return _apps.GetOrAdd(
            variant.Id,
            _ => new Lazy<Task<ScaffoldedApp>>(() => Task.Run(() => CreateAppAsync(variant)), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>Starts scaffolding/building the given variants in the background (bounded by the
    /// build slots) so that two builds overlap while tests run; results are picked up by GetAppAsync.</summary>
    public void Prefetch(IEnumerable<Variant> variants)
    {
        foreach (var variant in variants)
        {
            _ = GetAppAsync(variant);
        }
    }

    /// <summary>Runs scaffold/build work that is not a <see cref="Variant"/> within the same build slots.</summary>
    public async Task<T> InBuildSlotAsync<T>(Func<Task<T>> work)
    {
        await _buildSlots.WaitAsync().ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            _buildSlots.Release();
        }
    }

    public TemplateDefinition TemplateFor(string shortName) =>
        Templates.FirstOrDefault(t => t.ShortNames.Contains(shortName, StringComparer.Ordinal))
        ?? throw new XunitException($"No template with short name '{shortName}' under {RepoLayout.TemplatesRoot(RepoRoot)}.");

    private async Task<ScaffoldedApp> CreateAppAsync(Variant variant)
    {
        var template = TemplateFor(variant.Template);
        var directory = Path.Combine(AppsDirectory, variant.Id);
        await _buildSlots.WaitAsync().ConfigureAwait(false);
        try
        {
            List<string> arguments = ["new", variant.Template, "-n", variant.Name, "-o", directory, "--no-update-check"];
            if (template.PostActions.Any(a => string.Equals(TemplateDefinition.GetString(a, "actionId"), RunScriptActionId, StringComparison.OrdinalIgnoreCase)))
            {
                arguments.AddRange(["--allow-scripts", "yes"]);
            }

            arguments.AddRange(variant.Options);
            var scaffold = (await Cli.RunAsync(arguments, AppsDirectory, ScaffoldTimeout).ConfigureAwait(false))
                .EnsureSuccess($"Scaffolding variant {variant} failed.");
            var files = ScaffoldedApp.ListFiles(directory, includeBuildOutput: true);
            Log($"Scaffolded {variant} in {scaffold.Duration.TotalSeconds:F1}s ({files.Count} files)");

            ProcessResult? build = null;
            if (variant.Build)
            {
                build = (await Cli.RunAsync(["build", variant.Name + ".slnx", "-c", "Release", "-warnaserror"], directory, BuildTimeout).ConfigureAwait(false))
                    .EnsureSuccess($"Building variant {variant} with warnings as errors failed.");
                Log($"Built {variant} in {build.Duration.TotalSeconds:F1}s");
            }

            return new ScaffoldedApp(variant, directory, Cli, scaffold, files, build);
        }
        finally
        {
            _buildSlots.Release();
        }
    }

    /// <summary>NuGet treats DOTNET_CLI_HOME as the user's home, so without this the hive would restore
    /// with a default configuration instead of the user's package sources.</summary>
    private void CopyUserNuGetConfigIntoHive()
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var userConfig = Path.Combine(home, ".nuget", "NuGet", "NuGet.Config");
        if (File.Exists(userConfig))
        {
            var hiveConfig = Path.Combine(Cli.HiveDirectory, ".nuget", "NuGet", "NuGet.Config");
            Directory.CreateDirectory(Path.GetDirectoryName(hiveConfig)!);
            File.Copy(userConfig, hiveConfig, overwrite: true);
        }
    }

    private void Log(string message) => _diagnostics.OnMessage(new DiagnosticMessage("[AuthApi.Templates.Tests] " + message));
}
