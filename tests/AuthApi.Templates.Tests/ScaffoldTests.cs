using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>authapi scaffolded with each built variant: files, leftovers, build, its own tests.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class ScaffoldTests
{
    private const string SourceName = "AuthApiTemplate";

    private readonly TemplatePackFixture _fixture;

    public ScaffoldTests(TemplatePackFixture fixture)
    {
        _fixture = fixture;
        // Start both builds now so they overlap (bounded by the fixture's build slots).
        _fixture.Prefetch(Variants.Built);
    }

    public static TheoryData<string> BuiltVariants()
    {
        var data = new TheoryData<string>();
        foreach (var variant in Variants.Built)
        {
            data.Add(variant.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BuiltVariants))]
    public async Task ExpectedFilesExist(string variant)
    {
        var app = await _fixture.GetAppAsync(Variants.ById(variant));
        var name = app.Name;
        var files = app.CurrentFiles();
        string[] expected = [$"{name}.slnx", $"src/{name}/{name}.csproj", $"tests/{name}.Tests/{name}.Tests.csproj", "README.md"];
        foreach (var file in expected)
        {
            Assert.True(files.Contains(file), $"{app}: expected {file}; the output has:\n{string.Join('\n', files)}");
        }
    }

    [Theory]
    [MemberData(nameof(BuiltVariants))]
    public async Task NoTemplateLeftovers(string variant)
    {
        var app = await _fixture.GetAppAsync(Variants.ById(variant));
        var problems = new List<string>();

        foreach (var directory in Directory.EnumerateDirectories(app.Directory, "*", SearchOption.AllDirectories))
        {
            var relative = RepoLayout.Relative(app.Directory, directory);
            if (Path.GetFileName(directory) == ".template.config")
            {
                problems.Add($"{relative}/: template configuration copied into the output");
            }

            if (relative.Contains(SourceName, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{relative}/: folder name keeps the template's source name");
            }
        }

        foreach (var relative in app.CurrentFiles())
        {
            if (relative.Contains(SourceName, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{relative}: file name keeps the template's source name");
            }

            if (Regex.IsMatch(Path.GetFileName(relative), @"\.db(-shm|-wal)?$"))
            {
                continue; // created by running the app
            }

            var text = TemplateConditions.ReadTextOrNull(app.PathOf(relative));
            if (text is null)
            {
                continue;
            }

            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains(SourceName, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{relative}:{i + 1}: '{SourceName}' left in content: {lines[i].Trim()}");
                }

                if (TemplateDirective().IsMatch(lines[i]))
                {
                    problems.Add($"{relative}:{i + 1}: unprocessed template directive: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{app}: template leftovers in {app.Directory}:\n{string.Join('\n', problems)}");
    }

    [Theory]
    [MemberData(nameof(BuiltVariants))]
    public async Task BuildsWithWarningsAsErrors(string variant)
    {
        var app = await _fixture.GetAppAsync(Variants.ById(variant));
        Assert.NotNull(app.BuildResult);
        Assert.True(app.BuildResult.Succeeded, app.BuildResult.Describe());
        Assert.True(File.Exists(app.AppAssembly), app.BuildResult.Describe($"{app.AppAssembly} was not produced."));
        Assert.Matches(@"\b0 Error\(s\)", app.BuildResult.Output);
    }

    [Theory]
    [MemberData(nameof(BuiltVariants))]
    public async Task OwnTestsPass(string variant)
    {
        var app = await _fixture.GetAppAsync(Variants.ById(variant));
        var sink = Path.Combine(_fixture.TempRoot, "test-sinks", app.Variant.Id);
        var run = await app.RunOwnTestsAsync(sink);
        run.EnsureSuccess($"{app}: the scaffolded solution's own tests failed.");

        var summary = TestRunSummary.Parse(run.Output);
        Assert.True(summary is not null, run.Describe($"{app}: no test summary in the dotnet test output."));
        Assert.True(summary.Failed == 0 && summary.Passed >= 1 && summary.Total >= 1, run.Describe($"{app}: unexpected test totals ({summary})."));

        // After the whole suite: no log line, stored row or test output holds a token, key or secret.
        Assert.True(Directory.Exists(sink) && Directory.EnumerateFiles(sink, "*.log", SearchOption.AllDirectories).Any(), $"{app}: the tests left no logs in {sink}.");
        var secrets = SecretScanner.ConfiguredSecrets(app.ProjectDirectory);
        var hits = SecretScanner.ScanSink(sink, secrets)
            .Concat(run.Output.Split('\n').SelectMany((line, i) => SecretScanner.ScanText("dotnet test output", $"line {i + 1}", line, secrets)))
            .ToList();
        Assert.True(hits.Count == 0, $"{app}: secrets left in the logs or databases of its test run ({sink}):\n" + string.Join('\n', hits.Take(50)));
    }

    [Fact]
    public async Task EachAppGetsItsOwnRandomDevelopmentSigningKey()
    {
        var keys = new List<string>();
        foreach (var variant in new[] { Variants.Default, Variants.AllPlugins })
        {
            var app = await _fixture.GetAppAsync(variant);
            var settings = JsonNode.Parse(
                await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "appsettings.Development.json")),
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
            var key = settings["Jwt"]?["SigningKey"]?.GetValue<string>();
            // Three random GUIDs in hex: 366 random bits, read as base64 by the app (72 bytes; at least 32 random ones required).
            Assert.True(key is not null && HexOfThreeGuids().IsMatch(key), $"{app}: the development signing key is '{key}'.");
            Assert.True(Convert.FromBase64String(key).Length >= 32);
            keys.Add(key);
        }

        Assert.NotEqual(keys[0], keys[1]);
    }

    [Theory]
    [InlineData("apikeys", "items:read,items:write,orders:read,orders:write")]
    [InlineData("all-plugins", "items:read,items:write")]
    public async Task TheScopesOptionAddsTheApisOwnScopesOnce(string variant, string expected)
    {
        var app = await _fixture.GetAppAsync(Variants.ById(variant));
        var scopes = await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "Auth", "ApiKeys", "ApiScopes.cs"));
        Assert.Contains($"\"{expected}\"", scopes, StringComparison.Ordinal);
        Assert.Contains($"`{expected}`", await File.ReadAllTextAsync(app.PathOf("README.md")), StringComparison.Ordinal);
    }

    // //#if  <!--#if  //#endif  <!--#endif  //#else  //#elseif ... that the engine should have consumed.
    [GeneratedRegex(@"(//|<!--|@\*|/\*)\s*#(if|else|elif|elseif|endif)\b")]
    private static partial Regex TemplateDirective();

    [GeneratedRegex("^[0-9A-Fa-f]{96}$")]
    private static partial Regex HexOfThreeGuids();
}
