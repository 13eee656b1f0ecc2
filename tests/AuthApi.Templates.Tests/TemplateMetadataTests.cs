using System.Text.Json;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// Validates every templates/**/.template.config the way the template authoring tools would
/// (they are not available here), plus the pack's composition rule: item templates' shared
/// symbols exist in authapi with the same type, and authapi's ../items/&lt;x&gt;/ sources exist.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class TemplateMetadataTests(TemplatePackFixture fixture)
{
    /// <summary>Item-template parameters that only make sense for an item added to an existing project,
    /// so authapi need not declare them. Compared case-insensitively.</summary>
    public static readonly IReadOnlySet<string> ItemLocalSymbols = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "name", "namespace", "rootNamespace", "project", "projectName", "projectPath", "targetProject", "output",
    };

    private static readonly IReadOnlyList<string> RequiredStrings = ["identity", "name", "author", "description", "groupIdentity"];

    private IReadOnlyList<TemplateDefinition> Templates => fixture.Templates;

    private string TemplatesRoot => RepoLayout.TemplatesRoot(fixture.RepoRoot);

    [Fact]
    public void PackHasTheAuthApiProjectTemplate()
    {
        var authApi = Templates.Where(t => t.ShortNames.Contains("authapi")).ToList();
        Assert.Single(authApi);
        Assert.Equal("authapi", authApi[0].RelativeDirectory);
        Assert.True(authApi[0].IsProject, "authapi must be a project template (tags.type = project).");
        Assert.All(Templates.Where(t => t.RelativeDirectory.StartsWith("items/", StringComparison.Ordinal)), t =>
            Assert.True(t.IsItem, $"{t.RelativeDirectory}: templates under templates/items/ must have tags.type = item."));
    }

    /// <summary>
    /// Every variant of an item's wiring instructions (each database, each session mode) has the labelled lines
    /// the item tests follow for the defaults, so what the other options print has the same shape.
    /// </summary>
    [Fact]
    public void EveryItemsWiringInstructionsHaveTheLabelledLines()
    {
        var placeholders = new Dictionary<string, string>
        {
            ["<RootNamespace>"] = "App",
            ["<your app>"] = "app",
            ["<id>"] = "client",
            ["<secret>"] = "secret",
        };
        var problems = new List<string>();
        foreach (var template in Templates.Where(t => t.IsItem))
        {
            var wiring = template.PostActions.Where(a => TemplateDefinition.GetString(a, "id") == "wiring").ToList();
            if (wiring.Count != 1)
            {
                problems.Add($"{template.RelativeDirectory}: has {wiring.Count} post actions with the id 'wiring', not one");
                continue;
            }

            foreach (var instruction in TemplateDefinition.ArrayOf(wiring[0], "manualInstructions"))
            {
                var where = $"{template.RelativeDirectory} ({TemplateDefinition.GetString(instruction, "condition") ?? "otherwise"})";
                try
                {
                    var parsed = PrintedInstructions.Parse(TemplateDefinition.GetString(instruction, "text") ?? "", placeholders);
                    _ = parsed.AppSettings;
                    _ = parsed.DevelopmentSettings;
                    if (parsed.Commands.Count + parsed.PagesToOpen.Count == 0)
                    {
                        problems.Add($"{where}: 'Then:' names no 'dotnet run -- …' and no 'open /…'");
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or JsonException)
                {
                    problems.Add($"{where}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryTemplateHasRequiredMetadata()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            var where = template.RelativeDirectory;
            var json = template.Template;
            foreach (var property in RequiredStrings)
            {
                if (string.IsNullOrWhiteSpace(TemplateDefinition.GetString(json, property)))
                {
                    problems.Add($"{where}: missing or empty '{property}'");
                }
            }

            if (template.ShortNames.Count == 0 || template.ShortNames.Any(string.IsNullOrWhiteSpace))
            {
                problems.Add($"{where}: missing or empty 'shortName'");
            }

            if (!TemplateDefinition.ArrayOf(json, "classifications").Any(c => c.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(c.GetString())))
            {
                problems.Add($"{where}: 'classifications' must be a non-empty array of strings");
            }

            var language = json.TryGetProperty("tags", out var tags) ? TemplateDefinition.GetString(tags, "language") : null;
            if (language != "C#")
            {
                problems.Add($"{where}: tags.language must be \"C#\" (is {language ?? "missing"})");
            }

            if (!template.IsProject && !template.IsItem)
            {
                problems.Add($"{where}: tags.type must be \"project\" or \"item\" (is {template.Type ?? "missing"})");
            }

            if (template.IsProject && string.IsNullOrWhiteSpace(TemplateDefinition.GetString(json, "sourceName")))
            {
                problems.Add($"{where}: project templates need a 'sourceName'");
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void IdentitiesAndShortNamesAreUnique()
    {
        var problems = new List<string>();
        foreach (var group in Templates.Where(t => t.Identity is not null).GroupBy(t => t.Identity!, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"identity '{group.Key}' used by: {string.Join(", ", group.Select(t => t.RelativeDirectory))}");
        }

        foreach (var group in Templates.SelectMany(t => t.ShortNames.Select(s => (ShortName: s, Template: t)))
                     .GroupBy(x => x.ShortName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"shortName '{group.Key}' used by: {string.Join(", ", group.Select(x => x.Template.RelativeDirectory))}");
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void ConditionsReferenceDeclaredSymbols()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            var known = KnownNames(template);
            var references = TemplateConditions.FromTemplateJson(template)
                .Concat(EmittedFolders(template).SelectMany(folder => TemplateConditions.FromFiles(folder, TemplatesRoot)));
            foreach (var reference in references.Where(r => !known.Contains(r.Symbol)))
            {
                problems.Add($"{template.RelativeDirectory}: '{reference.Symbol}' is not a declared symbol ({reference.Location}: {reference.Expression})");
            }
        }

        AssertNoProblems(problems.Distinct());
    }

    [Fact]
    public void HostFilesReferenceDeclaredSymbols()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            var symbols = template.Symbols;
            if (template.CliHost is { } cli && cli.TryGetProperty("symbolInfo", out var cliInfo) && cliInfo.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in cliInfo.EnumerateObject().Where(e => !symbols.ContainsKey(e.Name)))
                {
                    problems.Add($"{template.RelativeDirectory}/.template.config/dotnetcli.host.json: symbolInfo '{entry.Name}' is not a declared symbol");
                }
            }

            if (template.IdeHost is { } ide)
            {
                foreach (var entry in TemplateDefinition.ArrayOf(ide, "symbolInfo"))
                {
                    var id = TemplateDefinition.GetString(entry, "id");
                    if (id is null || !symbols.ContainsKey(id))
                    {
                        problems.Add($"{template.RelativeDirectory}/.template.config/ide.host.json: symbolInfo id '{id ?? "(missing)"}' is not a declared symbol");
                    }
                }
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void ParametersHaveDescriptions()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            foreach (var (name, symbol) in template.ParameterSymbols)
            {
                if (string.IsNullOrWhiteSpace(TemplateDefinition.GetString(symbol, "description")))
                {
                    problems.Add($"{template.RelativeDirectory}: parameter '{name}' has no description");
                }

                if (TemplateDefinition.DataType(symbol) == "choice" && !TemplateDefinition.ArrayOf(symbol, "choices").Any())
                {
                    problems.Add($"{template.RelativeDirectory}: choice parameter '{name}' has no choices");
                }
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void PostActionsAreComplete()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            var where = template.RelativeDirectory;
            var actions = template.PostActions.ToList();
            for (var i = 0; i < actions.Count; i++)
            {
                var action = actions[i];
                var actionId = TemplateDefinition.GetString(action, "actionId");
                if (actionId is null || !Guid.TryParse(actionId, out _))
                {
                    problems.Add($"{where}: postActions[{i}].actionId must be a GUID (is {actionId ?? "missing"})");
                }

                if (string.IsNullOrWhiteSpace(TemplateDefinition.GetString(action, "description")))
                {
                    problems.Add($"{where}: postActions[{i}] has no description");
                }

                var instructions = TemplateDefinition.ArrayOf(action, "manualInstructions").ToList();
                if (instructions.Count == 0 || instructions.Any(m => string.IsNullOrWhiteSpace(TemplateDefinition.GetString(m, "text"))))
                {
                    problems.Add($"{where}: postActions[{i}].manualInstructions must list entries with a 'text'");
                }

                if (string.Equals(actionId, TemplateDefinition.RestoreActionId, StringComparison.OrdinalIgnoreCase))
                {
                    var condition = new string((TemplateDefinition.GetString(action, "condition") ?? string.Empty).Where(c => !char.IsWhiteSpace(c)).ToArray());
                    if (condition != "(!restoreSkipped)")
                    {
                        problems.Add($"{where}: the restore post action's condition must be \"(!restoreSkipped)\" (is \"{condition}\")");
                    }

                    if (!template.Symbols.TryGetValue("skipRestore", out var skip) || TemplateDefinition.DataType(skip) != "bool")
                    {
                        problems.Add($"{where}: has a restore post action but no bool 'skipRestore' parameter (--no-restore)");
                    }

                    // One restore of the whole solution, not one per primary output.
                    var files = action.TryGetProperty("args", out var args) && args.TryGetProperty("files", out var list) ? list.EnumerateArray().Select(f => f.GetString()).ToList() : [];
                    if (files.Count != 1 || files[0]?.EndsWith(".slnx", StringComparison.Ordinal) != true)
                    {
                        problems.Add($"{where}: the restore post action must restore the solution file alone (args.files)");
                    }
                }
            }

            if (template.IsProject && !actions.Any(a => string.Equals(TemplateDefinition.GetString(a, "actionId"), TemplateDefinition.RestoreActionId, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{where}: project template without the restore post action ({TemplateDefinition.RestoreActionId})");
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void PrimaryOutputsExist()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            foreach (var output in template.PrimaryOutputs)
            {
                var path = TemplateDefinition.GetString(output, "path");
                if (string.IsNullOrWhiteSpace(path))
                {
                    problems.Add($"{template.RelativeDirectory}: a primaryOutputs entry has no path");
                }
                else if (!PrimaryOutputExists(template, path))
                {
                    problems.Add($"{template.RelativeDirectory}: primary output '{path}' is not in the template");
                }
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void SourcesPointAtExistingFoldersInsideThePack()
    {
        var problems = new List<string>();
        foreach (var template in Templates)
        {
            foreach (var (source, _, folder) in SourceFolders(template))
            {
                if (!RepoLayout.IsUnder(folder, TemplatesRoot))
                {
                    problems.Add($"{template.RelativeDirectory}: source '{source}' leaves templates/ (and so the package)");
                }
                else if (!Directory.Exists(folder))
                {
                    problems.Add($"{template.RelativeDirectory}: source '{source}' points at a missing folder ({RepoLayout.Relative(fixture.RepoRoot, folder)})");
                }
                else if (source.Replace('\\', '/').Contains("../items/", StringComparison.Ordinal)
                         && !File.Exists(Path.Combine(folder, ".template.config", "template.json")))
                {
                    problems.Add($"{template.RelativeDirectory}: source '{source}' is not an item template folder (no .template.config/template.json)");
                }
            }
        }

        AssertNoProblems(problems);
    }

    [Fact]
    public void ItemTemplateSymbolsMatchAuthApi()
    {
        var authApi = Templates.Single(t => t.ShortNames.Contains("authapi"));
        var authSymbols = authApi.Symbols;
        var problems = new List<string>();
        foreach (var item in Templates.Where(t => t.RelativeDirectory.StartsWith("items/", StringComparison.Ordinal)))
        {
            foreach (var (name, symbol) in item.ParameterSymbols)
            {
                if (ItemLocalSymbols.Contains(name) || symbol.TryGetProperty("binding", out _))
                {
                    continue;
                }

                if (!authSymbols.TryGetValue(name, out var shared))
                {
                    problems.Add($"{item.RelativeDirectory}: parameter '{name}' is not declared in authapi");
                    continue;
                }

                if (TemplateDefinition.SymbolType(shared) != "parameter")
                {
                    problems.Add($"{item.RelativeDirectory}: '{name}' is a {TemplateDefinition.SymbolType(shared)} symbol in authapi, a parameter here");
                }

                var (itemType, authType) = (TemplateDefinition.DataType(symbol), TemplateDefinition.DataType(shared));
                if (itemType != authType)
                {
                    problems.Add($"{item.RelativeDirectory}: parameter '{name}' is {itemType} here but {authType} in authapi");
                }
                else if (itemType == "choice")
                {
                    var authChoices = Choices(shared);
                    var extra = Choices(symbol).Where(c => !authChoices.Contains(c)).ToList();
                    if (extra.Count > 0)
                    {
                        problems.Add($"{item.RelativeDirectory}: choice '{name}' offers {string.Join(", ", extra)}, which authapi does not");
                    }
                }
            }
        }

        foreach (var (source, _, folder) in SourceFolders(authApi))
        {
            if (source.Replace('\\', '/').Contains("../items/", StringComparison.Ordinal) && !Directory.Exists(folder))
            {
                problems.Add($"authapi: source '{source}' points at a missing item folder");
            }
        }

        AssertNoProblems(problems);
    }

    /// <summary>Symbol names a condition in this template may use: its symbols, the implicit 'name',
    /// and (for unquoted comparisons) the values of its choice symbols.</summary>
    private static HashSet<string> KnownNames(TemplateDefinition template)
    {
        var known = new HashSet<string>(template.Symbols.Keys, StringComparer.Ordinal) { "name" };
        foreach (var (_, symbol) in template.Symbols)
        {
            known.UnionWith(Choices(symbol));
        }

        return known;
    }

    private static List<string> Choices(JsonElement symbol) =>
        TemplateDefinition.ArrayOf(symbol, "choices")
            .Select(c => TemplateDefinition.GetString(c, "choice"))
            .OfType<string>()
            .ToList();

    /// <summary>(source as written, target as written, absolute source folder) for each sources[] entry.</summary>
    private static IEnumerable<(string Source, string Target, string Folder)> SourceFolders(TemplateDefinition template)
    {
        var sources = template.Sources.ToList();
        if (sources.Count == 0)
        {
            yield return ("./", "./", template.Directory);
            yield break;
        }

        foreach (var entry in sources)
        {
            var source = TemplateDefinition.GetString(entry, "source") ?? "./";
            var target = TemplateDefinition.GetString(entry, "target") ?? "./";
            yield return (source, target, Path.GetFullPath(Path.Combine(template.Directory, source)));
        }
    }

    /// <summary>The folders whose files the template can emit (its own folder and its sources).</summary>
    private static IEnumerable<string> EmittedFolders(TemplateDefinition template) =>
        SourceFolders(template).Select(s => s.Folder).Where(Directory.Exists).Distinct(StringComparer.Ordinal);

    private static bool PrimaryOutputExists(TemplateDefinition template, string path)
    {
        var normalized = Normalize(path);
        foreach (var (_, target, folder) in SourceFolders(template))
        {
            var prefix = Normalize(target);
            if (prefix.Length > 0 && !normalized.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var rest = prefix.Length == 0 ? normalized : normalized[(prefix.Length + 1)..];
            if (File.Exists(Path.Combine(folder, rest)) || Directory.Exists(Path.Combine(folder, rest)))
            {
                return true;
            }
        }

        // A primary output may also be the target of a sources[].rename.
        return template.Sources.Any(s =>
            s.TryGetProperty("rename", out var rename) && rename.ValueKind == JsonValueKind.Object
            && rename.EnumerateObject().Any(r => r.Value.ValueKind == JsonValueKind.String && Normalize(r.Value.GetString()!) == normalized));
    }

    private static string Normalize(string path)
    {
        var p = path.Replace('\\', '/').Trim();
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        return p.Trim('/') is "." ? string.Empty : p.Trim('/');
    }

    private static void AssertNoProblems(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{list.Count} problem(s):\n" + string.Join('\n', list));
    }
}
