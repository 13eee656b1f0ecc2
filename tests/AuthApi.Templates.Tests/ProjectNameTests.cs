using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// Any name a user may give with -n: names the app's own namespaces already use (Users, Data, ...) and
/// names that are not C# identifiers. The built variants carry such names, so <c>ScaffoldTests</c> builds
/// and tests each of them; these tests keep that so and keep the template code safe for them.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class ProjectNameTests(TemplatePackFixture fixture)
{
    private const string SourceName = "AuthApiTemplate";

    /// <summary>A name that is not a C# identifier: a dot and a dash.</summary>
    private const string NotAnIdentifier = "My.Company-Api";

    /// <summary>
    /// The options that bring each top-level folder (and namespace) of the app. A name collides with a folder
    /// only where the folder is generated, so the variant of that name must have one of these options on.
    /// </summary>
    private static readonly Dictionary<string, Func<Dictionary<string, string>, bool>> FolderPresent = new(StringComparer.Ordinal)
    {
        ["Auth"] = o => o["--jwt"] == "true" || o["--google"] == "true" || o["--apikeys"] == "true",
        ["Data"] = _ => true,
        ["Infrastructure"] = _ => true,
        ["Items"] = _ => true,
        ["Usage"] = o => o["--usage"] == "true",
        ["Users"] = o => o["--jwt"] == "true" || o["--google"] == "true",
    };

    [Fact]
    public void Each_top_level_namespace_of_the_app_names_a_built_variant_that_generates_it()
    {
        var templates = RepoLayout.TemplatesRoot(RepoLayout.FindRepoRoot());
        var appRoots = new[] { Path.Combine(templates, "authapi", "src", SourceName) }
            .Concat(Directory.EnumerateDirectories(Path.Combine(templates, "shared")))
            .Concat(Directory.EnumerateDirectories(Path.Combine(templates, "items")));
        var folders = appRoots
            .SelectMany(Directory.EnumerateDirectories)
            .Where(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        var problems = new List<string>();
        foreach (var folder in folders.Order(StringComparer.Ordinal))
        {
            if (!FolderPresent.TryGetValue(folder, out var present))
            {
                problems.Add($"{folder}: a new namespace of the app; say in {nameof(FolderPresent)} which options bring it and name a built variant after it");
                continue;
            }

            var named = Variants.Built.Where(v => v.Template == "authapi" && v.Name == folder).ToList();
            if (!named.Any(v => present(OptionMatrixTests.Effective(v))))
            {
                problems.Add($"{folder}: no built authapi variant of that name generates the {folder} folder");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void A_name_that_is_not_a_CSharp_identifier_is_built()
    {
        Assert.Contains(Variants.Built, v => v.Template == "authapi" && v.Name == NotAnIdentifier);
    }

    [Fact]
    public async Task A_name_that_is_not_an_identifier_keeps_file_names_and_gets_a_safe_namespace()
    {
        var app = await fixture.GetAppAsync(Variants.Built.Single(v => v.Template == "authapi" && v.Name == NotAnIdentifier));
        Assert.True(Directory.Exists(app.PathOf("src", NotAnIdentifier)));
        Assert.True(File.Exists(app.PathOf("src", NotAnIdentifier, NotAnIdentifier + ".csproj")));
        Assert.True(File.Exists(app.PathOf("tests", NotAnIdentifier + ".Tests", NotAnIdentifier + ".Tests.csproj")));

        var sources = app.CurrentFiles()
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal))
            .Select(f => (File: f, Text: File.ReadAllText(app.PathOf(f))))
            .ToList();
        var invalid = sources
            .SelectMany(s => s.Text.Split('\n').Select((line, i) => (s.File, Line: i + 1, Text: line)))
            .Where(l => Regex.IsMatch(l.Text, @"^\s*(namespace|using)\s+My\.Company-Api"))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(invalid.Count == 0, "C# code uses the file-name form of the name:\n" + string.Join('\n', invalid));

        var srcNamespaces = sources.Where(s => s.File.StartsWith("src/", StringComparison.Ordinal)
            && Regex.IsMatch(s.Text, @"^\s*namespace\s+My\.Company_Api(\.|;|\s)", RegexOptions.Multiline));
        Assert.True(srcNamespaces.Any(), "No C# file under src/ declares a namespace My.Company_Api[.*].");
    }

    /// <summary>
    /// A type named from the root (AuthApiTemplate.Auth.Jwt.TokenPair) breaks when the project is named after
    /// one of its own namespaces: in Users.Tests, Users.Auth is looked up as Users.Users.Auth. Only using
    /// directives at the top of a file, resolved from the global namespace, and namespace declarations may
    /// start with the root name; string literals (migrations, log categories) are not references.
    /// </summary>
    [Fact]
    public void Template_code_refers_to_the_apps_types_through_using_directives_only()
    {
        var templates = RepoLayout.TemplatesRoot(RepoLayout.FindRepoRoot());
        var problems = new List<string>();
        foreach (var file in Directory.EnumerateFiles(templates, "*.cs", SearchOption.AllDirectories))
        {
            var relative = RepoLayout.Relative(templates, file);
            if (relative.Split('/').Any(segment => segment is "bin" or "obj"))
            {
                continue;
            }

            var inNamespace = false;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = StringLiteral().Replace(lines[i], "\"\"");
                if (FileScopedNamespace().IsMatch(code))
                {
                    inNamespace = true;
                    continue;
                }

                if (RootQualified().IsMatch(code) && (inNamespace || !TopLevelUsing().IsMatch(code)))
                {
                    problems.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"Code names the app's types from the root '{SourceName}.' (add a using directive at the top instead):\n" + string.Join('\n', problems));
    }

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^\s*namespace\s")]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex($@"\b{SourceName}\.")]
    private static partial Regex RootQualified();

    [GeneratedRegex($@"^\s*(global\s+)?using\s+(static\s+)?(\w+\s*=\s*)?{SourceName}[\w.]*;")]
    private static partial Regex TopLevelUsing();
}
