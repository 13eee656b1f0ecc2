namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>Where things are in this repository.</summary>
public static class RepoLayout
{
    public const string PackProjectFileName = "TemplatePack.csproj";

    /// <summary>Walks up from the test assembly (then the current directory) to the folder holding TemplatePack.csproj.</summary>
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, PackProjectFileName)))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"Could not find {PackProjectFileName} above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }

    public static string TemplatesRoot(string repoRoot) => Path.Combine(repoRoot, "templates");

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies inside it.</summary>
    public static bool IsUnder(string path, string folder)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(root, StringComparison.Ordinal);
    }

    /// <summary>Path relative to <paramref name="root"/> with forward slashes.</summary>
    public static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
}
