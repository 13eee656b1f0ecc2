namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>The output of one <see cref="Variant"/>: scaffolded with dotnet new and (usually) built.</summary>
public sealed class ScaffoldedApp
{
    private readonly DotnetCli _cli;

    public ScaffoldedApp(
        Variant variant,
        string directory,
        DotnetCli cli,
        ProcessResult scaffoldResult,
        IReadOnlyList<string> filesAfterScaffold,
        ProcessResult? buildResult)
    {
        Variant = variant;
        Directory = directory;
        _cli = cli;
        ScaffoldResult = scaffoldResult;
        FilesAfterScaffold = filesAfterScaffold;
        BuildResult = buildResult;
    }

    public Variant Variant { get; }

    public string Name => Variant.Name;

    /// <summary>The -o folder.</summary>
    public string Directory { get; }

    public ProcessResult ScaffoldResult { get; }

    /// <summary>Every file (relative, '/'-separated) right after dotnet new returned, before any build.</summary>
    public IReadOnlyList<string> FilesAfterScaffold { get; }

    public ProcessResult? BuildResult { get; }

    public string SolutionFile => Name + ".slnx";

    public string ProjectDirectory => PathOf("src", Name);

    /// <summary>The built API assembly (Release).</summary>
    public string AppAssembly => PathOf("src", Name, "bin", "Release", "net10.0", Name + ".dll");

    public string PathOf(params string[] relative) => Path.Combine([Directory, .. relative]);

    /// <summary>Every file now in the output (relative, '/'-separated), optionally without bin/ and obj/ folders.</summary>
    public IReadOnlyList<string> CurrentFiles(bool includeBuildOutput = false) =>
        ListFiles(Directory, includeBuildOutput);

    /// <summary>
    /// Runs the scaffolded solution's own tests against the Release build. With <paramref name="testSink"/>
    /// every log and database of the run is left in that folder, for <see cref="SecretScanner"/>.
    /// </summary>
    public Task<ProcessResult> RunOwnTestsAsync(string? testSink = null) =>
        testSink is null
            ? _cli.RunAsync(["test", SolutionFile, "-c", "Release", "--no-build"], Directory)
            : _cli.RunAsync(["test", SolutionFile, "-c", "Release", "--no-build"], Directory, new Dictionary<string, string?> { [SecretScanner.SinkVariable] = testSink });

    public Task<ProcessResult> RunDotnetAsync(IReadOnlyList<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null) =>
        _cli.RunAsync(arguments, workingDirectory ?? Directory, timeout);

    /// <summary>Runs one of the app's own commands (users, tokens, apikeys, ...) on its Release build; returns its last line.</summary>
    public async Task<string> RunCommandAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        (await _cli.RunAsync([AppAssembly, .. arguments], ProjectDirectory, environment, TimeSpan.FromMinutes(2)))
            .EnsureSuccess($"{string.Join(' ', arguments)} failed.").LastLine;

    public RunningProcess Start(IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment) =>
        _cli.Start(arguments, workingDirectory, environment);

    public static IReadOnlyList<string> ListFiles(string root, bool includeBuildOutput) =>
        System.IO.Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path => RepoLayout.Relative(root, path))
            .Where(relative => includeBuildOutput || !relative.Split('/').Any(segment => segment is "bin" or "obj"))
            .OrderBy(relative => relative, StringComparer.Ordinal)
            .ToList();

    public override string ToString() => Variant.ToString();
}
