using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The built variants are a pairwise set over the options that change what is generated: for every two
/// options, every combination of their values is scaffolded, built and tested by at least one variant,
/// besides all off and all on. (A --google-session value only counts where --google is on.)
/// </summary>
public sealed class OptionMatrixTests
{
    private static readonly Dictionary<string, string[]> Options = new()
    {
        ["--jwt"] = ["true", "false"],
        ["--google"] = ["true", "false"],
        ["--google-session"] = ["jwt", "cookie"],
        ["--apikeys"] = ["true", "false"],
        ["--usage"] = ["true", "false"],
        ["--database"] = ["sqlite", "postgres"],
        ["--cache"] = ["memory", "redis"],
    };

    private static readonly Dictionary<string, string> Defaults = new()
    {
        ["--jwt"] = "true", ["--google"] = "false", ["--google-session"] = "jwt", ["--apikeys"] = "false",
        ["--usage"] = "false", ["--database"] = "sqlite", ["--cache"] = "memory",
    };

    [Fact]
    public void Every_pair_of_option_values_is_built_and_tested_by_some_variant()
    {
        var covered = Variants.Built.Where(v => v.Template == "authapi").SelectMany(v => Pairs(Effective(v))).ToHashSet();

        var missing = new List<string>();
        var names = Options.Keys.ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            for (var j = i + 1; j < names.Length; j++)
            {
                foreach (var a in Options[names[i]])
                {
                    foreach (var b in Options[names[j]])
                    {
                        var pair = new Dictionary<string, string> { [names[i]] = a, [names[j]] = b };
                        if (IsMeaningful(pair) && !covered.Contains($"{names[i]}={a} {names[j]}={b}"))
                        {
                            missing.Add($"{names[i]} {a} with {names[j]} {b}");
                        }
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "No built variant covers: " + string.Join("; ", missing));
    }

    [Fact]
    public void All_plugins_off_and_all_on_are_built()
    {
        var effective = Variants.Built.Select(Effective).ToList();
        Assert.Contains(effective, e => e["--jwt"] == "false" && e["--google"] == "false" && e["--apikeys"] == "false" && e["--usage"] == "false");
        Assert.Contains(effective, e => e["--jwt"] == "true" && e["--google"] == "true" && e["--apikeys"] == "true" && e["--usage"] == "true"
            && e["--database"] == "postgres" && e["--cache"] == "redis");
    }

    /// <summary>The value of each option in <paramref name="variant"/>, defaults filled in.</summary>
    internal static Dictionary<string, string> Effective(Variant variant)
    {
        var values = new Dictionary<string, string>(Defaults);
        var options = variant.Options;
        for (var i = 0; i < options.Count; i++)
        {
            var name = options[i];
            if (!Options.ContainsKey(name))
            {
                continue;
            }

            // A bool flag given without a value means true.
            values[name] = i + 1 < options.Count && !options[i + 1].StartsWith("--", StringComparison.Ordinal) ? options[++i] : "true";
        }

        return values;
    }

    private static IEnumerable<string> Pairs(Dictionary<string, string> values)
    {
        var names = Options.Keys.Where(n => IsMeaningful(new Dictionary<string, string> { [n] = values[n], ["--google"] = values["--google"] })).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            for (var j = i + 1; j < names.Length; j++)
            {
                yield return $"{names[i]}={values[names[i]]} {names[j]}={values[names[j]]}";
            }
        }
    }

    /// <summary>--google-session means something only with --google on.</summary>
    private static bool IsMeaningful(Dictionary<string, string> values) =>
        !values.ContainsKey("--google-session") || !values.TryGetValue("--google", out var google) || google == "true";
}
