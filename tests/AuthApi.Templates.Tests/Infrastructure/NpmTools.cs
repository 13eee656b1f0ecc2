namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>Command-line tools from npm, installed once per run into a folder of the run's own.</summary>
public static class NpmTools
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>Installs <paramref name="packages"/> (name@version) into TempRoot/<paramref name="name"/> and returns that folder.</summary>
    public static async Task<string> InstallAsync(TemplatePackFixture fixture, string name, params string[] packages)
    {
        var directory = Path.Combine(fixture.TempRoot, name);
        var marker = Path.Combine(directory, "installed");
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(marker))
            {
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(Path.Combine(directory, "package.json"), $$"""{ "name": "{{name}}", "private": true }""");
                (await ProcessRunner.RunAsync("npm", ["install", .. packages, "--no-audit", "--no-fund", "--loglevel=error"],
                    directory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(5)))
                    .EnsureSuccess($"npm install {string.Join(' ', packages)} failed (is the npm registry reachable?).");
                await File.WriteAllTextAsync(marker, string.Join('\n', packages));
            }
        }
        finally
        {
            InstallGate.Release();
        }

        return directory;
    }
}
