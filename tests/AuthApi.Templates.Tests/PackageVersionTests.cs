using System.Text.RegularExpressions;
using System.Xml.Linq;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

[Collection(TemplatePackCollection.Name)]
public sealed partial class PackageVersionTests(TemplatePackFixture fixture)
{
    /// <summary>
    /// The generated solution's Directory.Packages.props is the one place that sets a version; the projects
    /// name no version, and the item templates' add-package post actions and their printed instructions use
    /// the same versions, so a plugin added to an authapi solution never moves a package up or down.
    /// </summary>
    [Fact]
    public void PackageVersionsHaveOneSourceOfTruth()
    {
        var templatesRoot = RepoLayout.TemplatesRoot(fixture.RepoRoot);
        var props = Path.Combine(templatesRoot, "authapi", "Directory.Packages.props");
        var problems = new List<string>();
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in XDocument.Load(props).Descendants("PackageVersion"))
        {
            var (id, version) = ((string?)item.Attribute("Include") ?? "", (string?)item.Attribute("Version") ?? "");
            if (versions.TryGetValue(id, out var seen) && seen != version)
            {
                problems.Add($"Directory.Packages.props: {id} is set to both {seen} and {version}");
            }

            versions[id] = version;
        }

        Assert.True(versions.Count > 0, $"{props} sets no package version");

        foreach (var project in Directory.EnumerateFiles(templatesRoot, "*.csproj", SearchOption.AllDirectories))
        {
            var where = RepoLayout.Relative(templatesRoot, project);
            foreach (var reference in XDocument.Load(project).Descendants("PackageReference"))
            {
                var id = (string?)reference.Attribute("Include") ?? "";
                if (reference.Attribute("Version") is { } version)
                {
                    problems.Add($"{where}: {id} names a version ({version.Value}); versions belong in Directory.Packages.props");
                }

                if (!versions.ContainsKey(id))
                {
                    problems.Add($"{where}: {id} has no version in Directory.Packages.props");
                }
            }
        }

        foreach (var template in fixture.Templates)
        {
            foreach (var action in template.PostActions)
            {
                if (!action.TryGetProperty("args", out var args) || TemplateDefinition.GetString(args, "referenceType") != "package")
                {
                    continue;
                }

                var id = TemplateDefinition.GetString(args, "reference") ?? "";
                var version = TemplateDefinition.GetString(args, "version");
                if (!versions.TryGetValue(id, out var expected))
                {
                    problems.Add($"{template.RelativeDirectory}: adds {id}, which Directory.Packages.props does not name");
                    continue;
                }

                if (version != expected)
                {
                    problems.Add($"{template.RelativeDirectory}: adds {id} {version}; Directory.Packages.props has {expected}");
                }

                foreach (var instruction in TemplateDefinition.ArrayOf(action, "manualInstructions"))
                {
                    foreach (Match printed in AddPackageCommand().Matches(TemplateDefinition.GetString(instruction, "text") ?? ""))
                    {
                        if (!versions.TryGetValue(printed.Groups["id"].Value, out var printedExpected) || printed.Groups["version"].Value != printedExpected)
                        {
                            problems.Add($"{template.RelativeDirectory}: prints '{printed.Value}'; Directory.Packages.props has {printedExpected ?? "no such package"}");
                        }
                    }
                }
            }
        }

        AssertNoProblems(problems);
    }

    private static void AssertNoProblems(List<string> problems) =>
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n" + string.Join('\n', problems));

    [GeneratedRegex(@"dotnet add package (?<id>[\w.]+) --version (?<version>[\w.\-]+)")]
    private static partial Regex AddPackageCommand();
}
