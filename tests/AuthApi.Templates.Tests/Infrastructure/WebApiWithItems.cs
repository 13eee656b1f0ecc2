using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>
/// A fresh `dotnet new webapi` (or `web`) project with item templates of the pack added by `dotnet new &lt;item&gt;`,
/// then wired (by <see cref="PrintedInstructions"/>, or by hand where items are combined) and built.
/// </summary>
public sealed partial class WebApiWithItems
{
    private readonly TemplatePackFixture _fixture;

    private WebApiWithItems(TemplatePackFixture fixture, string directory, string name, IReadOnlyList<ProcessResult> itemResults)
    {
        _fixture = fixture;
        Directory = directory;
        Name = name;
        ItemResults = itemResults;
    }

    public string Directory { get; }

    public string Name { get; }

    /// <summary>What each `dotnet new &lt;item&gt;` printed: its post actions' output and manual instructions.</summary>
    public IReadOnlyList<ProcessResult> ItemResults { get; }

    public string ProgramFile => Path.Combine(Directory, "Program.cs");

    public string AppAssembly => Path.Combine(Directory, "bin", "Release", "net10.0", Name + ".dll");

    /// <summary>The C# namespace `dotnet new webapi` derives from the project name.</summary>
    public string RootNamespace => NotIdentifierCharacter().Replace(Name, "_");

    public static Task<WebApiWithItems> CreateAsync(TemplatePackFixture fixture, string id, string name, params string[][] items) =>
        CreateAsync(fixture, "webapi", id, name, items);

    /// <summary>The same on another project template of the SDK's, such as the empty `web`.</summary>
    public static async Task<WebApiWithItems> CreateAsync(TemplatePackFixture fixture, string projectTemplate, string id, string name, params string[][] items)
    {
        var directory = Path.Combine(fixture.AppsDirectory, id);
        (await fixture.Cli.RunAsync(["new", projectTemplate, "-n", name, "-o", directory, "--no-update-check"], fixture.AppsDirectory))
            .EnsureSuccess($"dotnet new {projectTemplate} failed.");

        var results = new List<ProcessResult>();
        foreach (var item in items)
        {
            results.Add((await fixture.Cli.RunAsync(["new", .. item, "--no-update-check"], directory))
                .EnsureSuccess($"dotnet new {string.Join(' ', item)} in a {projectTemplate} project failed."));
        }

        return new WebApiWithItems(fixture, directory, name, results);
    }

    /// <summary>Adds `using` lines at the top of Program.cs.</summary>
    public void AddUsings(params string[] namespaces) =>
        Edit(ProgramFile, text => string.Concat(namespaces.Select(n => $"using {n};\n")) + text);

    public void InsertAfter(string anchor, string lines) =>
        Edit(ProgramFile, text => Replace(text, anchor, anchor + "\n" + lines));

    public void ReplaceInProgram(string oldText, string newText) =>
        Edit(ProgramFile, text => Replace(text, oldText, newText));

    /// <summary>Merges settings into appsettings.json or appsettings.Development.json (keys with ':' become nested objects).</summary>
    public void SetSettings(string fileName, IReadOnlyDictionary<string, JsonNode?> settings) =>
        EditSettings(fileName, root =>
        {
            foreach (var (key, value) in settings)
            {
                var segments = key.Split(':');
                var node = root;
                foreach (var segment in segments[..^1])
                {
                    node = (node[segment] ??= new JsonObject()).AsObject();
                }

                node[segments[^1]] = value?.DeepClone();
            }
        });

    /// <summary>Merges a JSON object into a settings file, section by section, as a user pastes one in.</summary>
    public void MergeSettings(string fileName, JsonObject settings) => EditSettings(fileName, root => MergeJson(root, settings));

    /// <summary>Runs a command line as a user pastes it into a shell, in the project folder, with this SDK's dotnet first on PATH.</summary>
    public Task<ProcessResult> RunInShellAsync(string commandLine, IReadOnlyDictionary<string, string?> environment)
    {
        var merged = Merge(environment);
        var dotnetDirectory = Path.GetDirectoryName(_fixture.Cli.DotnetPath);
        if (!string.IsNullOrEmpty(dotnetDirectory))
        {
            merged["PATH"] = dotnetDirectory + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        }

        return ProcessRunner.RunAsync("sh", ["-c", commandLine], Directory, merged, TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// Builds with warnings as errors. NU1603 stays a warning: the webapi template references a
    /// Microsoft.OpenApi version the package feed here does not serve, so NuGet takes the next one.
    /// </summary>
    public Task<ProcessResult> BuildAsync() =>
        _fixture.InBuildSlotAsync(() => _fixture.Cli.RunAsync(
            ["build", "-c", "Release", "-warnaserror", "-p:WarningsNotAsErrors=NU1603"], Directory));

    /// <summary>Runs the built app with arguments (a command), from its project folder.</summary>
    public Task<ProcessResult> RunAppAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        ProcessRunner.RunAsync(
            _fixture.Cli.DotnetPath,
            [AppAssembly, .. arguments],
            Directory,
            Merge(environment),
            TimeSpan.FromMinutes(2));

    public RunningProcess Start(IReadOnlyDictionary<string, string?> environment) =>
        _fixture.Cli.Start([AppAssembly, "--urls", "http://127.0.0.1:0"], Directory, environment);

    private Dictionary<string, string?> Merge(IReadOnlyDictionary<string, string?> extra)
    {
        var environment = new Dictionary<string, string?>(_fixture.Cli.Environment, StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private void EditSettings(string fileName, Action<JsonObject> change)
    {
        var path = Path.Combine(Directory, fileName);
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        change(root);
        File.WriteAllText(path, root.ToJsonString(new() { WriteIndented = true }));
    }

    private static void MergeJson(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject section && target[key] is JsonObject existing)
            {
                MergeJson(existing, section);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static void Edit(string path, Func<string, string> change) => File.WriteAllText(path, change(File.ReadAllText(path)));

    private static string Replace(string text, string oldText, string newText)
    {
        if (!text.Contains(oldText, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Program.cs of the webapi template no longer contains '{oldText}':\n{text}");
        }

        return text.Replace(oldText, newText, StringComparison.Ordinal);
    }

    [GeneratedRegex("[^A-Za-z0-9_.]")]
    private static partial Regex NotIdentifierCharacter();
}
