using System.Net;
using System.Text.Json;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>The built default app started as a real process and called over real HTTP.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class RunningAppTests(TemplatePackFixture fixture)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task DefaultAppServesHealthAndOpenApi()
    {
        var app = await fixture.GetAppAsync(Variants.Default);
        Assert.True(File.Exists(app.AppAssembly), $"{app.AppAssembly} does not exist.");

        await using var process = app.Start(
            [app.AppAssembly, "--urls", "http://127.0.0.1:0"],
            app.ProjectDirectory,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });

        var baseAddress = await process.WaitForListeningAsync(StartupTimeout);

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        using (var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative)))
        {
            Assert.True(live.StatusCode == HttpStatusCode.OK, await DescribeAsync(live, process));
        }

        // Ready means the database (migrated on start in Development) answers.
        using (var ready = await GetReadyAsync(http))
        {
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.OK, await DescribeAsync(ready, process, body));
            Assert.True(IsJson(body, out _), await DescribeAsync(ready, process, body, "is not JSON"));
            Assert.Contains("json", ready.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        }

        using (var openApi = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)))
        {
            var body = await openApi.Content.ReadAsStringAsync();
            Assert.True(openApi.StatusCode == HttpStatusCode.OK, await DescribeAsync(openApi, process, body));
            Assert.True(IsJson(body, out var document), await DescribeAsync(openApi, process, body, "is not JSON"));
            using (document)
            {
                var root = document!.RootElement;
                Assert.True(root.TryGetProperty("openapi", out var version) && version.ValueKind == JsonValueKind.String, "No 'openapi' version property:\n" + Truncate(body));
                Assert.True(root.TryGetProperty("paths", out var paths) && paths.ValueKind == JsonValueKind.Object, "No 'paths' object:\n" + Truncate(body));
                Assert.True(paths.TryGetProperty("/items", out _), "'paths' has no '/items': " + string.Join(", ", paths.EnumerateObject().Select(p => p.Name)));
            }
        }

        Assert.False(process.HasExited, process.Describe("The app exited while serving requests."));
    }

    /// <summary>GET /health/ready, retried for a short while in case start-up work (migrations) is still running.</summary>
    private static async Task<HttpResponseMessage> GetReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(500);
        }
    }

    private static bool IsJson(string body, out JsonDocument? document)
    {
        try
        {
            document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response, RunningProcess process, string? body = null, string? problem = null)
    {
        body ??= await response.Content.ReadAsStringAsync();
        return process.Describe(
            $"GET {response.RequestMessage?.RequestUri} -> {(int)response.StatusCode} {response.StatusCode}" +
            $"{(problem is null ? string.Empty : " (" + problem + ")")}{Environment.NewLine}Body: {Truncate(body)}");
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + " [...]";

}
