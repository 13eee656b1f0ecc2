namespace AuthApi.Templates.Tests.Infrastructure;

/// <summary>A scaffolded app's OpenAPI document as its running process serves it, saved as a file for tools that read one.</summary>
public static class ApiDocumentFile
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Starts <paramref name="variant"/> in Development on a database of its own and saves its document as TempRoot/<paramref name="name"/>/openapi.json.</summary>
    public static async Task<string> FetchAsync(TemplatePackFixture fixture, Variant variant, string name)
    {
        var app = await fixture.GetAppAsync(variant);
        var directory = Path.Combine(fixture.TempRoot, name);
        Directory.CreateDirectory(directory);
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Default"] = $"Data Source={Path.Combine(directory, "app.db")}",
        };
        await using var process = app.Start([app.AppAssembly, "--urls", "http://127.0.0.1:0"], app.ProjectDirectory, environment);
        return await SaveAsync(await process.WaitForListeningAsync(StartupTimeout), directory);
    }

    /// <summary>Saves the document the app at <paramref name="baseAddress"/> serves as <paramref name="directory"/>/openapi.json.</summary>
    public static async Task<string> SaveAsync(Uri baseAddress, string directory)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var path = Path.Combine(directory, "openapi.json");
        await File.WriteAllTextAsync(path, await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        return path;
    }
}
