using System.Text.Json;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The all-plugins app's OpenAPI document through two public linters from npm: Redocly CLI's recommended
/// rules and Spectral's <c>spectral:oas</c>. Neither may report an error; Redocly may warn only about what a
/// generated app cannot know (its licence), never about responses, operation ids, security or servers.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class OpenApiLintTests(TemplatePackFixture fixture)
{
    private const string Redocly = "@redocly/cli@2.77.0";
    private const string Spectral = "@stoplight/spectral-cli@6.16.3";

    /// <summary>Warnings about the app's owner, which the template leaves to the team that adopts it.</summary>
    private static readonly string[] OwnersWarnings = ["info-license", "info-contact"];

    [Fact]
    public async Task Redocly_and_spectral_find_no_errors_and_no_warnings_about_the_contract()
    {
        var document = await ApiDocumentFile.FetchAsync(fixture, Variants.AllPlugins, "lint");
        var linters = await NpmTools.InstallAsync(fixture, "openapi-linters", Redocly, Spectral);
        var directory = Path.GetDirectoryName(document)!;

        // The sign-in start is a redirect to Google by design: it has no 2xx answer to document.
        await File.WriteAllTextAsync(Path.Combine(directory, ".redocly.lint-ignore.yaml"), """
            openapi.json:
              operation-2xx-response:
                - '#/paths/~1auth~1google~1login/get/responses'
            """);
        // The report goes to standard output and the progress lines to standard error: the report is kept apart.
        await ProcessRunner.RunAsync("sh", ["-c", $"node '{Path.Combine(linters, "node_modules", "@redocly", "cli", "bin", "cli.js")}' lint openapi.json --format=json > redocly.json"],
            directory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(2));
        using var redoclyReport = JsonDocument.Parse(await ReportAsync(directory, "redocly.json"));
        var redoclyProblems = redoclyReport.RootElement.GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("severity").GetString() == "error" || !OwnersWarnings.Contains(p.GetProperty("ruleId").GetString()))
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at {p.GetProperty("location")[0].GetProperty("pointer").GetString()}")
            .ToList();
        Assert.True(redoclyProblems.Count == 0, "Redocly:\n" + string.Join('\n', redoclyProblems));

        await File.WriteAllTextAsync(Path.Combine(directory, ".spectral.yaml"), "extends: [\"spectral:oas\"]\n");
        await ProcessRunner.RunAsync("node", [Path.Combine(linters, "node_modules", "@stoplight", "spectral-cli", "dist", "index.js"), "lint", "openapi.json", "--format", "json", "--output", "spectral.json"],
            directory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(2));
        using var spectralReport = JsonDocument.Parse(await ReportAsync(directory, "spectral.json"));
        var spectralErrors = spectralReport.RootElement.EnumerateArray()
            .Where(p => p.GetProperty("severity").GetInt32() == 0)
            .Select(p => $"{p.GetProperty("code").GetString()}: {p.GetProperty("message").GetString()} at {string.Join('.', p.GetProperty("path").EnumerateArray())}")
            .ToList();
        Assert.True(spectralErrors.Count == 0, "Spectral errors:\n" + string.Join('\n', spectralErrors));
    }

    private static async Task<string> ReportAsync(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"The linter wrote no report {file}.");
        return await File.ReadAllTextAsync(path);
    }
}
