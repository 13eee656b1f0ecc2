namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// Where a test run leaves what the app wrote, so that it can be checked after the whole suite (no log
/// line or stored row may hold a token, a key or a secret): set <see cref="Variable"/> to a folder and
/// every factory's log and database, and the output of every app process, land under it. Unset, tests
/// keep everything in temp folders of their own and delete them.
/// </summary>
public static class TestSink
{
    public const string Variable = "AUTHAPI_TEST_SINK";

    /// <summary>Values the tests know to be secret (signing keys, client secrets), one per line.</summary>
    public const string DeclaredSecretsFile = "declared-secrets.txt";

    private static readonly Lock DeclareLock = new();

    public static string? Folder =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : null;

    /// <summary>A new, empty folder for one factory's database: in the sink when there is one (kept), else in temp.</summary>
    public static (string Path, bool Keep) NewDatabaseFolder()
    {
        if (Folder is { } sink)
        {
            var folder = Path.Combine(sink, "databases", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            return (folder, true);
        }

        return (Directory.CreateTempSubdirectory("authapi-tests-").FullName, false);
    }

    /// <summary>A new log file in the sink, or null when there is no sink.</summary>
    public static string? NewLogFile(string kind)
    {
        if (Folder is not { } sink)
        {
            return null;
        }

        var folder = Path.Combine(sink, "logs");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{kind}-{Guid.NewGuid():N}.log");
    }

    public static void WriteLog(string kind, string text)
    {
        if (NewLogFile(kind) is { } file)
        {
            File.WriteAllText(file, text);
        }
    }

    /// <summary>Tells the after-suite scan that <paramref name="value"/> is a secret that must appear in no log or row.</summary>
    public static void DeclareSecret(string? value)
    {
        // Shorter values (test placeholders) would match ordinary words.
        if (Folder is not { } sink || value is null || value.Length < 16 || value.Contains('\n', StringComparison.Ordinal))
        {
            return;
        }

        Directory.CreateDirectory(sink);
        lock (DeclareLock)
        {
            File.AppendAllText(Path.Combine(sink, DeclaredSecretsFile), value + "\n");
        }
    }
}
