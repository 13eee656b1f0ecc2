using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>
/// The wiring an item template prints after <c>dotnet new &lt;item&gt;</c>, read by the labels every item uses
/// ("using:", "after CreateBuilder:", "after Build:", "instead of app.Run():", "appsettings.json:",
/// "appsettings.Development.json:", "user secrets:", "Then:") and applied the way a user copies it.
/// Text after three spaces and a parenthesis is commentary for the reader. Placeholders in angle brackets
/// are what the user fills in; the test names a value for each one it meets.
/// </summary>
public sealed partial class PrintedInstructions
{
    private const string BuilderLine = "var builder = WebApplication.CreateBuilder(args);";
    private const string BuildLine = "var app = builder.Build();";
    private const string RunLine = "app.Run();";

    private readonly Dictionary<string, string> _lines;

    private PrintedInstructions(Dictionary<string, string> lines) => _lines = lines;

    public IReadOnlyList<string> Usings => [.. Line("using").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public string AfterCreateBuilder => Line("after CreateBuilder");

    public string AfterBuild => Line("after Build");

    public string InsteadOfRun => Line("instead of app.Run()");

    public JsonObject AppSettings => Json("appsettings.json");

    public JsonObject DevelopmentSettings => Json("appsettings.Development.json");

    public string? UserSecrets => _lines.GetValueOrDefault("user secrets");

    /// <summary>The arguments of each <c>dotnet run -- …</c> the "Then:" line names, in order.</summary>
    public IReadOnlyList<string[]> Commands =>
        [.. ThenSteps().Where(s => s.StartsWith("dotnet run -- ", StringComparison.Ordinal)).Select(s => Arguments(s["dotnet run -- ".Length..]))];

    /// <summary>The paths the "Then:" line says to open.</summary>
    public IReadOnlyList<string> PagesToOpen =>
        [.. ThenSteps().Where(s => s.StartsWith("open /", StringComparison.Ordinal)).Select(s => s["open ".Length..])];

    /// <summary>Reads the labelled lines of what one <c>dotnet new &lt;item&gt;</c> printed, filling the placeholders.</summary>
    public static PrintedInstructions Parse(string output, IReadOnlyDictionary<string, string> placeholders)
    {
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in LabelledLine().Matches(output))
        {
            var label = match.Groups["label"].Value;
            var value = Commentary().Replace(match.Groups["value"].Value, "").Trim();
            value = Placeholder().Replace(value, p => placeholders.TryGetValue(p.Value, out var filled)
                ? filled
                : throw new InvalidOperationException($"The instructions' {label} line has the placeholder {p.Value}, which the test does not fill:\n{output}"));
            if (!lines.TryAdd(label, value))
            {
                throw new InvalidOperationException($"The instructions name '{label}:' twice:\n{output}");
            }
        }

        foreach (var required in new[] { "using", "after CreateBuilder", "after Build", "instead of app.Run()", "appsettings.json", "appsettings.Development.json", "Then" })
        {
            if (!lines.ContainsKey(required))
            {
                throw new InvalidOperationException($"The instructions have no '{required}:' line:\n{output}");
            }
        }

        return new PrintedInstructions(lines);
    }

    /// <summary>
    /// Puts the wiring into Program.cs and the settings files and runs the user-secrets line in a shell with a
    /// home of the project's own. Returns the environment the app then runs in: that home, and Development,
    /// which <c>dotnet run</c> takes from the project's launch settings.
    /// </summary>
    public async Task<Dictionary<string, string?>> ApplyToAsync(WebApiWithItems project)
    {
        project.AddUsings([.. Usings]);
        project.InsertAfter(BuilderLine, AfterCreateBuilder);
        project.InsertAfter(BuildLine, AfterBuild);
        project.ReplaceInProgram(RunLine, InsteadOfRun);
        project.MergeSettings("appsettings.json", AppSettings);
        project.MergeSettings("appsettings.Development.json", DevelopmentSettings);

        var home = Path.Combine(project.Directory, ".home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["HOME"] = home,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        };
        if (UserSecrets is { } secrets)
        {
            (await project.RunInShellAsync(secrets, environment)).EnsureSuccess($"The instructions' user secrets line failed: {secrets}");
        }

        return environment;
    }

    /// <summary>Runs the "Then:" line's <c>dotnet run -- …</c> commands on the built app, each of which must succeed.</summary>
    public async Task<IReadOnlyList<ProcessResult>> RunCommandsAsync(WebApiWithItems project, IReadOnlyDictionary<string, string?> environment)
    {
        var results = new List<ProcessResult>();
        foreach (var arguments in Commands)
        {
            results.Add((await project.RunAppAsync(environment, arguments)).EnsureSuccess($"dotnet run -- {string.Join(' ', arguments)} failed."));
        }

        return results;
    }

    private string Line(string label) => _lines[label];

    private JsonObject Json(string label) =>
        JsonNode.Parse("{" + Line(label) + "}")?.AsObject() ?? throw new InvalidOperationException($"'{label}:' is not JSON: {Line(label)}");

    private IEnumerable<string> ThenSteps() => StepSeparator().Split(Line("Then")).Select(s => s.Trim()).Where(s => s.Length > 0);

    private static string[] Arguments(string commandLine) =>
        [.. ShellWord().Matches(commandLine).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value)];

    [GeneratedRegex(@"^[ \t]*(?<label>using|after CreateBuilder|after Build|instead of app\.Run\(\)|on your endpoints|appsettings\.json|appsettings\.Development\.json|user secrets|optional|Then):[ \t]*(?<value>.*?)\r?$", RegexOptions.Multiline)]
    private static partial Regex LabelledLine();

    [GeneratedRegex(@"\s{3,}\(.*$")]
    private static partial Regex Commentary();

    [GeneratedRegex(@"<[A-Za-z][A-Za-z ]*>")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@" && |, and ")]
    private static partial Regex StepSeparator();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|\\S+")]
    private static partial Regex ShellWord();
}
