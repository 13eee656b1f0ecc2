using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>A symbol reference found in a template: the name and where it was seen.</summary>
public sealed record SymbolReference(string Symbol, string Location, string Expression);

/// <summary>
/// Finds the symbol names that a template's conditions refer to, the way the template engine reads
/// them: conditions in template.json and conditional blocks (//#if, &lt;!--#if, #if, @*#if, /*#if)
/// in the files it emits.
/// </summary>
public static partial class TemplateConditions
{
    /// <summary>Names that are not template symbols: C# preprocessor symbols and literals.</summary>
    public static bool IsIgnoredName(string name) =>
        name is "DEBUG" or "RELEASE" or "TRACE" or "NET" or "true" or "false" or "null" or "TRUE" or "FALSE" or "True" or "False"
            or "WINDOWS" or "LINUX" or "OSX" or "MACOS" or "FREEBSD" or "ANDROID" or "IOS" or "BROWSER" or "WASI"
        || PreprocessorSymbol().IsMatch(name);

    /// <summary>Identifiers in a condition expression, string literals removed; words such as net10.0 that
    /// cannot be identifiers are skipped.</summary>
    public static IEnumerable<string> IdentifiersIn(string expression)
    {
        var withoutStrings = StringLiteral().Replace(expression, " ");
        foreach (Match word in Word().Matches(withoutStrings))
        {
            var value = word.Value;
            if (value.Contains('.', StringComparison.Ordinal) || value.Contains('-', StringComparison.Ordinal))
            {
                continue;
            }

            if (!IsIgnoredName(value))
            {
                yield return value;
            }
        }
    }

    /// <summary>Symbol references made from template.json itself.</summary>
    public static IEnumerable<SymbolReference> FromTemplateJson(TemplateDefinition template)
    {
        var file = template.RelativeDirectory + "/.template.config/template.json";
        var sources = template.Sources.ToList();
        for (var i = 0; i < sources.Count; i++)
        {
            foreach (var reference in FromCondition(sources[i], $"{file} sources[{i}].condition"))
            {
                yield return reference;
            }

            var modifiers = TemplateDefinition.ArrayOf(sources[i], "modifiers").ToList();
            for (var j = 0; j < modifiers.Count; j++)
            {
                foreach (var reference in FromCondition(modifiers[j], $"{file} sources[{i}].modifiers[{j}].condition"))
                {
                    yield return reference;
                }
            }
        }

        var postActions = template.PostActions.ToList();
        for (var i = 0; i < postActions.Count; i++)
        {
            foreach (var reference in FromCondition(postActions[i], $"{file} postActions[{i}].condition"))
            {
                yield return reference;
            }
        }

        var outputs = template.PrimaryOutputs.ToList();
        for (var i = 0; i < outputs.Count; i++)
        {
            foreach (var reference in FromCondition(outputs[i], $"{file} primaryOutputs[{i}].condition"))
            {
                yield return reference;
            }
        }

        foreach (var (name, symbol) in template.Symbols)
        {
            var where = $"{file} symbols.{name}";
            switch (TemplateDefinition.SymbolType(symbol))
            {
                case "computed":
                    foreach (var reference in FromExpression(TemplateDefinition.GetString(symbol, "value"), where + ".value"))
                    {
                        yield return reference;
                    }

                    break;
                case "derived":
                    foreach (var reference in FromName(TemplateDefinition.GetString(symbol, "valueSource"), where + ".valueSource"))
                    {
                        yield return reference;
                    }

                    break;
                case "generated":
                    foreach (var reference in FromGenerated(symbol, where))
                    {
                        yield return reference;
                    }

                    break;
                case "parameter":
                    // Conditional parameters: "isEnabled": "(jwt)", "isRequired": "(google)".
                    foreach (var property in new[] { "isEnabled", "isRequired" })
                    {
                        var value = TemplateDefinition.GetString(symbol, property);
                        if (value is not null && !bool.TryParse(value, out _))
                        {
                            foreach (var reference in FromExpression(value, $"{where}.{property}"))
                            {
                                yield return reference;
                            }
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Symbol references made by conditional blocks inside the files under <paramref name="folder"/>.</summary>
    public static IEnumerable<SymbolReference> FromFiles(string folder, string displayRoot)
    {
        foreach (var path in TemplateFiles(folder))
        {
            var text = ReadTextOrNull(path);
            if (text is null)
            {
                continue;
            }

            var relative = RepoLayout.Relative(displayRoot, path);
            var noEmit = false;
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                // Between //-:cnd:noEmit and //+:cnd:noEmit, #if lines are real preprocessor directives.
                if (line.Contains("-:cnd:noEmit", StringComparison.Ordinal))
                {
                    noEmit = true;
                    continue;
                }

                if (line.Contains("+:cnd:noEmit", StringComparison.Ordinal))
                {
                    noEmit = false;
                    continue;
                }

                if (noEmit)
                {
                    continue;
                }

                var match = ConditionalLine().Match(line);
                if (!match.Success)
                {
                    continue;
                }

                var expression = ExpressionOf(match.Groups["rest"].Value);
                foreach (var reference in FromExpression(expression, $"{relative}:{i + 1}"))
                {
                    yield return reference;
                }
            }
        }
    }

    /// <summary>The files a template folder emits: everything but .template.config, bin/obj and local databases.</summary>
    public static IEnumerable<string> TemplateFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(path =>
            {
                var segments = RepoLayout.Relative(folder, path).Split('/');
                return !segments.Any(s => s is ".template.config" or "bin" or "obj" or "TestResults" or ".vs")
                    && !Path.GetFileName(path).Contains(".db", StringComparison.Ordinal)
                    && !path.EndsWith(".user", StringComparison.Ordinal);
            });

    /// <summary>The file's text, or null for a binary file.</summary>
    public static string? ReadTextOrNull(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0))
        {
            return null;
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static IEnumerable<SymbolReference> FromCondition(JsonElement element, string where) =>
        FromExpression(TemplateDefinition.GetString(element, "condition"), where);

    private static IEnumerable<SymbolReference> FromExpression(string? expression, string where) =>
        string.IsNullOrWhiteSpace(expression)
            ? []
            : IdentifiersIn(expression).Distinct(StringComparer.Ordinal).Select(name => new SymbolReference(name, where, expression.Trim()));

    private static IEnumerable<SymbolReference> FromName(string? name, string where) =>
        string.IsNullOrWhiteSpace(name) ? [] : [new SymbolReference(name, where, name)];

    private static IEnumerable<SymbolReference> FromGenerated(JsonElement symbol, string where)
    {
        if (!symbol.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        var generator = TemplateDefinition.GetString(symbol, "generator");
        switch (generator)
        {
            case "casing" or "regex" or "regexMatch":
                foreach (var reference in FromName(TemplateDefinition.GetString(parameters, "source"), where + ".parameters.source"))
                {
                    yield return reference;
                }

                break;
            case "coalesce":
                foreach (var property in new[] { "sourceVariableName", "fallbackVariableName" })
                {
                    foreach (var reference in FromName(TemplateDefinition.GetString(parameters, property), $"{where}.parameters.{property}"))
                    {
                        yield return reference;
                    }
                }

                break;
            case "switch":
                var cases = TemplateDefinition.ArrayOf(parameters, "cases").ToList();
                for (var i = 0; i < cases.Count; i++)
                {
                    foreach (var reference in FromCondition(cases[i], $"{where}.parameters.cases[{i}].condition"))
                    {
                        yield return reference;
                    }
                }

                break;
            case "join":
                var symbols = TemplateDefinition.ArrayOf(parameters, "symbols").ToList();
                for (var i = 0; i < symbols.Count; i++)
                {
                    if (TemplateDefinition.GetString(symbols[i], "type") == "ref")
                    {
                        foreach (var reference in FromName(TemplateDefinition.GetString(symbols[i], "value"), $"{where}.parameters.symbols[{i}].value"))
                        {
                            yield return reference;
                        }
                    }
                }

                break;
        }
    }

    /// <summary>"(a &amp;&amp; b) // note" → "(a &amp;&amp; b)"; "DEBUG" → "DEBUG".</summary>
    private static string ExpressionOf(string rest)
    {
        rest = rest.Trim();
        if (rest.StartsWith('('))
        {
            var depth = 0;
            var inString = '\0';
            for (var i = 0; i < rest.Length; i++)
            {
                var c = rest[i];
                if (inString != '\0')
                {
                    if (c == inString)
                    {
                        inString = '\0';
                    }

                    continue;
                }

                switch (c)
                {
                    case '"' or '\'':
                        inString = c;
                        break;
                    case '(':
                        depth++;
                        break;
                    case ')':
                        depth--;
                        if (depth == 0)
                        {
                            return rest[..(i + 1)];
                        }

                        break;
                }
            }

            return rest;
        }

        var end = TrailingComment().Match(rest);
        return end.Success ? rest[..end.Index] : rest;
    }

    [GeneratedRegex(@"^(?:NET|NETCOREAPP|NETSTANDARD|NETFRAMEWORK)\d.*$|_OR_GREATER$|^NET\d+_\d+$")]
    private static partial Regex PreprocessorSymbol();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"(?<![\w.\-])[A-Za-z_][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*")]
    private static partial Regex Word();

    // //#if (x)   <!--#if (x)-->   #if (x)   ##if (x)   @*#if (x)*@   /*#if (x)*/   and the elif/elseif forms.
    [GeneratedRegex(@"^\s*(?:<!--|//|@\*|/\*|#)?\s*#(?:if|elif|elseif)\b(?<rest>.*)$")]
    private static partial Regex ConditionalLine();

    [GeneratedRegex(@"//|-->|\*@|\*/")]
    private static partial Regex TrailingComment();
}
