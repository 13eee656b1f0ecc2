using System.Text.Json;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>
/// One template of the pack as it sits in the repository: a folder under templates/ with a
/// .template.config/template.json (and optionally dotnetcli.host.json and ide.host.json).
/// </summary>
public sealed class TemplateDefinition
{
    public const string RestoreActionId = "210D431B-A78B-4D2F-B762-4ED3E3EA9025";

    public static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private TemplateDefinition(string directory, string relativeDirectory, JsonElement template, JsonElement? cliHost, JsonElement? ideHost)
    {
        Directory = directory;
        RelativeDirectory = relativeDirectory;
        Template = template;
        CliHost = cliHost;
        IdeHost = ideHost;
    }

    /// <summary>Absolute path of the template's root folder (the parent of .template.config).</summary>
    public string Directory { get; }

    /// <summary>Path under templates/, e.g. "authapi" or "items/jwtauth".</summary>
    public string RelativeDirectory { get; }

    public string ConfigDirectory => Path.Combine(Directory, ".template.config");

    public JsonElement Template { get; }

    public JsonElement? CliHost { get; }

    public JsonElement? IdeHost { get; }

    public string? Identity => GetString(Template, "identity");

    public string? Type => Template.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object
        ? GetString(tags, "type")
        : null;

    public bool IsProject => string.Equals(Type, "project", StringComparison.Ordinal);

    public bool IsItem => string.Equals(Type, "item", StringComparison.Ordinal);

    /// <summary>shortName may be a string or an array of strings.</summary>
    public IReadOnlyList<string> ShortNames
    {
        get
        {
            if (!Template.TryGetProperty("shortName", out var value))
            {
                return [];
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => [value.GetString()!],
                JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
                _ => [],
            };
        }
    }

    /// <summary>The first short name, the one users type.</summary>
    public string PrimaryShortName => ShortNames.FirstOrDefault() ?? RelativeDirectory;

    public IReadOnlyDictionary<string, JsonElement> Symbols =>
        Template.TryGetProperty("symbols", out var symbols) && symbols.ValueKind == JsonValueKind.Object
            ? symbols.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, JsonElement>> ParameterSymbols =>
        Symbols.Where(s => string.Equals(SymbolType(s.Value), "parameter", StringComparison.Ordinal));

    public IEnumerable<JsonElement> Sources => ArrayOf(Template, "sources");

    public IEnumerable<JsonElement> PostActions => ArrayOf(Template, "postActions");

    public IEnumerable<JsonElement> PrimaryOutputs => ArrayOf(Template, "primaryOutputs");

    /// <summary>The command-line flags users see for a parameter symbol: --longName (and -shortName) from
    /// dotnetcli.host.json, or dotnet new's default --SymbolName. Null when the host file hides it.</summary>
    public (string Long, string? Short)? CliFlags(string symbolName)
    {
        if (CliHost is { } host
            && host.TryGetProperty("symbolInfo", out var info)
            && info.ValueKind == JsonValueKind.Object
            && info.TryGetProperty(symbolName, out var entry)
            && entry.ValueKind == JsonValueKind.Object)
        {
            if (entry.TryGetProperty("isHidden", out var hidden) && IsTrue(hidden))
            {
                return null;
            }

            var longName = GetString(entry, "longName");
            var shortName = GetString(entry, "shortName");
            return ("--" + (string.IsNullOrEmpty(longName) ? symbolName : longName),
                string.IsNullOrEmpty(shortName) ? null : "-" + shortName);
        }

        return ("--" + symbolName, null);
    }

    public static string? SymbolType(JsonElement symbol) => GetString(symbol, "type");

    /// <summary>datatype normalised to the template engine's meaning (text=string, boolean=bool, ...).</summary>
    public static string DataType(JsonElement symbol)
    {
        var raw = (GetString(symbol, "datatype") ?? GetString(symbol, "dataType") ?? "string").ToLowerInvariant();
        return raw switch
        {
            "text" or "string" => "string",
            "boolean" or "bool" => "bool",
            "integer" or "int" => "int",
            "double" or "float" => "float",
            _ => raw,
        };
    }

    public static string? GetString(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static IEnumerable<JsonElement> ArrayOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().ToList()
            : [];

    public static bool IsTrue(JsonElement value) =>
        value.ValueKind == JsonValueKind.True
        || (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every template under templates/, ordered by folder.</summary>
    public static IReadOnlyList<TemplateDefinition> LoadAll(string repoRoot)
    {
        var templatesRoot = RepoLayout.TemplatesRoot(repoRoot);
        if (!System.IO.Directory.Exists(templatesRoot))
        {
            return [];
        }

        return System.IO.Directory
            .EnumerateFiles(templatesRoot, "template.json", SearchOption.AllDirectories)
            .Where(path => string.Equals(Path.GetFileName(Path.GetDirectoryName(path)), ".template.config", StringComparison.Ordinal))
            .Where(path => !IsBuildOutput(RepoLayout.Relative(templatesRoot, path)))
            .Select(path => Load(templatesRoot, Path.GetDirectoryName(Path.GetDirectoryName(path)!)!))
            .OrderBy(t => t.RelativeDirectory, StringComparer.Ordinal)
            .ToList();
    }

    public static TemplateDefinition Load(string templatesRoot, string directory)
    {
        var config = Path.Combine(directory, ".template.config");
        return new TemplateDefinition(
            directory,
            RepoLayout.Relative(templatesRoot, directory),
            ParseFile(Path.Combine(config, "template.json"))!.Value,
            ParseFile(Path.Combine(config, "dotnetcli.host.json")),
            ParseFile(Path.Combine(config, "ide.host.json")));
    }

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split('/').Any(segment => segment is "bin" or "obj");

    private static JsonElement? ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), JsonOptions);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }
}
