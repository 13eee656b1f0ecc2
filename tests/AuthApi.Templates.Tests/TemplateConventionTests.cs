using System.Text.Json;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// What `dotnet new` users and IDEs expect of every template in the pack: each option named on the command
/// line and in Visual Studio and Rider, saying which plugin it needs, and an icon.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class TemplateConventionTests(TemplatePackFixture fixture)
{
    /// <summary>authapi options that do something only with a plugin, and the flag that brings it.</summary>
    private static readonly IReadOnlyDictionary<string, string> NeedsPlugin = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["accessTokenLifetime"] = "--jwt",
        ["refreshTokenLifetime"] = "--jwt",
        ["scopes"] = "--apikeys",
        ["googleSession"] = "--google",
        ["samplingRate"] = "--usage",
        ["retentionDays"] = "--usage",
    };

    private IReadOnlyList<TemplateDefinition> Templates => fixture.Templates;

    [Fact]
    public void EveryOptionHasADeliberateCommandLineNameAndAnIdeDisplayName()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            var cli = template.CliHost is { } host && host.TryGetProperty("symbolInfo", out var info) ? info : default;
            var ide = template.IdeHost is { } ideHost ? TemplateDefinition.ArrayOf(ideHost, "symbolInfo").ToList() : [];
            foreach (var (name, _) in template.ParameterSymbols)
            {
                // An option without an explicit shortName gets one made up by dotnet new (-da, -c, ...).
                if (cli.ValueKind != JsonValueKind.Object || !cli.TryGetProperty(name, out var entry)
                    || (!entry.TryGetProperty("shortName", out _) && !(entry.TryGetProperty("isHidden", out var hidden) && TemplateDefinition.IsTrue(hidden))))
                {
                    problems.Add($"{template.RelativeDirectory}: '{name}' has no longName/shortName in dotnetcli.host.json");
                }

                var shown = ide.FirstOrDefault(e => TemplateDefinition.GetString(e, "id") == name);
                if (shown.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{template.RelativeDirectory}: '{name}' is missing from ide.host.json");
                }
                else if (shown.TryGetProperty("isVisible", out var visible) && TemplateDefinition.IsTrue(visible)
                    && !(shown.TryGetProperty("name", out var display) && !string.IsNullOrWhiteSpace(TemplateDefinition.GetString(display, "text"))))
                {
                    problems.Add($"{template.RelativeDirectory}: '{name}' is shown in IDEs without a display name");
                }
            }

            var icon = template.IdeHost is { } withIcon ? TemplateDefinition.GetString(withIcon, "icon") : null;
            if (icon is null || !IsPng(Path.Combine(template.ConfigDirectory, icon)))
            {
                problems.Add($"{template.RelativeDirectory}: ide.host.json names no icon, or its PNG is missing");
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void OptionsThatNeedAPluginSaySo()
    {
        var authApi = Templates.Single(t => t.ShortNames.Contains("authapi"));
        var problems = new List<string>();
        foreach (var (symbol, flag) in NeedsPlugin)
        {
            var description = TemplateDefinition.GetString(authApi.Symbols[symbol], "description") ?? "";
            if (!description.StartsWith($"Needs {flag}", StringComparison.Ordinal))
            {
                problems.Add($"authapi: the description of '{symbol}' does not start with \"Needs {flag}\": {description}");
            }
        }

        AssertNoProblems(problems);
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static bool IsPng(string path) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan().StartsWith(PngSignature);

    private static void AssertNoProblems(List<string> problems) =>
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n" + string.Join('\n', problems));
}
