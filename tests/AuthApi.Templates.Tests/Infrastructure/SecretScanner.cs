using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>A secret found where none may be. <see cref="Excerpt"/> shows only its start, so the report leaks nothing itself.</summary>
public sealed record SecretHit(string Source, string Location, string Kind, string Excerpt)
{
    public override string ToString() => $"{Source} ({Location}): {Kind} {Excerpt}";
}

/// <summary>
/// Looks through everything a scaffolded app's test run left behind (the log files and databases in its
/// test sink, see the scaffolded tests' TestSink, and the test run's own output) for credentials in the
/// shapes the plugins issue them: JWTs (access tokens, Google ID tokens), refresh tokens and Google login
/// codes (43 base64url characters from 256 random bits), API keys (prefix_ + 49 base62 characters),
/// Google client secrets and authorization codes, and any literal secret the run declared or configured.
/// </summary>
public static partial class SecretScanner
{
    /// <summary>The scaffolded tests' environment variable naming the sink (TestSink.Variable there).</summary>
    public const string SinkVariable = "AUTHAPI_TEST_SINK";

    /// <summary>Literal secrets the scaffolded tests declared (TestSink.DeclaredSecretsFile there).</summary>
    public const string DeclaredSecretsFile = "declared-secrets.txt";

    /// <summary>Scans the sink's logs, text dumps and SQLite databases (every table, every column).</summary>
    public static IReadOnlyList<SecretHit> ScanSink(string sink, IEnumerable<string> literalSecrets)
    {
        var declared = Path.Combine(sink, DeclaredSecretsFile);
        var literals = literalSecrets
            .Concat(File.Exists(declared) ? File.ReadAllLines(declared) : [])
            .Where(s => s.Length >= 16)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var hits = new List<SecretHit>();
        foreach (var file in Directory.EnumerateFiles(sink, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(sink, file);
            if (file == declared || file.EndsWith("-wal", StringComparison.Ordinal) || file.EndsWith("-shm", StringComparison.Ordinal))
            {
                continue;
            }

            if (file.EndsWith(".db", StringComparison.Ordinal))
            {
                hits.AddRange(ScanDatabase(file, relative, literals));
            }
            else
            {
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                {
                    hits.AddRange(ScanText(relative, $"line {i + 1}", lines[i], literals));
                }
            }
        }

        return hits;
    }

    /// <summary>Every credential-shaped string and every literal secret in <paramref name="text"/>.</summary>
    public static IEnumerable<SecretHit> ScanText(string source, string location, string text, IReadOnlyCollection<string> literals)
    {
        var found = new List<(int Index, int Length, string Kind)>();
        void Add(Match match, string kind)
        {
            // One report per place: a JWT's signature is not reported again as a refresh token.
            if (!found.Any(f => match.Index < f.Index + f.Length && f.Index < match.Index + match.Length))
            {
                found.Add((match.Index, match.Length, kind));
            }
        }

        foreach (Match match in Jwt().Matches(text))
        {
            Add(match, "JWT");
        }

        foreach (Match match in ApiKey().Matches(text).Where(m => LooksRandom(m.Groups["body"].Value)))
        {
            Add(match, "API key");
        }

        foreach (Match match in GoogleClientSecret().Matches(text))
        {
            Add(match, "Google client secret");
        }

        foreach (Match match in GoogleAuthorizationCode().Matches(text))
        {
            Add(match, "Google authorization code");
        }

        foreach (Match match in Random256Bits().Matches(text).Where(m => LooksRandom(m.Value)))
        {
            Add(match, "refresh token or login code (256 random bits)");
        }

        foreach (var hit in found.OrderBy(f => f.Index))
        {
            yield return new SecretHit(source, location, hit.Kind, Redact(text.Substring(hit.Index, hit.Length)));
        }

        foreach (var literal in literals)
        {
            if (text.Contains(literal, StringComparison.Ordinal))
            {
                yield return new SecretHit(source, location, "configured or declared secret", Redact(literal));
            }
        }
    }

    /// <summary>The secrets an app is configured with in its appsettings files: signing keys and client secrets.</summary>
    public static IReadOnlyList<string> ConfiguredSecrets(string projectDirectory)
    {
        var secrets = new List<string>();
        foreach (var file in Directory.EnumerateFiles(projectDirectory, "appsettings*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            Collect(document.RootElement, secrets);
        }

        return secrets;

        static void Collect(JsonElement element, List<string> into)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String
                    && (property.Name.EndsWith("Secret", StringComparison.OrdinalIgnoreCase) || property.Name.EndsWith("SigningKey", StringComparison.OrdinalIgnoreCase))
                    && property.Value.GetString() is { Length: >= 16 } value)
                {
                    into.Add(value);
                }

                Collect(property.Value, into);
            }
        }
    }

    private static IEnumerable<SecretHit> ScanDatabase(string file, string relative, IReadOnlyCollection<string> literals)
    {
        var hits = new List<SecretHit>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            using var reader = command.ExecuteReader();
            var row = 0;
            while (reader.Read())
            {
                row++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var text = reader.GetValue(i) switch
                    {
                        string value => value,
                        byte[] bytes => Encoding.Latin1.GetString(bytes),
                        _ => null,
                    };
                    if (text is not null)
                    {
                        hits.AddRange(ScanText(relative, $"{table}.{reader.GetName(i)} row {row}", text, literals));
                    }
                }
            }
        }

        return hits;
    }

    /// <summary>
    /// 43+ random base62/base64url characters hold about 17 capitals and 17 small letters (fewer than 4 of
    /// either happens about once in a million); identifiers, test names, hex and repeated look-alikes do not.
    /// </summary>
    private static bool LooksRandom(string value) =>
        value.Count(char.IsAsciiLetterUpper) >= 4 && value.Count(char.IsAsciiLetterLower) >= 4;

    private static string Redact(string secret) => secret.Length <= 8 ? "(…)" : $"{secret[..6]}… ({secret.Length} characters)";

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])[a-z][a-z0-9]{0,15}_(?<body>[0-9A-Za-z]{49})(?![0-9A-Za-z])")]
    private static partial Regex ApiKey();

    [GeneratedRegex(@"GOCSPX-[A-Za-z0-9_-]{20,}")]
    private static partial Regex GoogleClientSecret();

    [GeneratedRegex(@"(?<![A-Za-z0-9_/-])4/0[A-Za-z0-9_-]{20,}")]
    private static partial Regex GoogleAuthorizationCode();

    // Unpadded base64url, as refresh tokens and login codes are; 44-character padded base64 (a signing key) is matched literally.
    [GeneratedRegex(@"(?<![A-Za-z0-9_+/-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_=+/-])")]
    private static partial Regex Random256Bits();
}
