using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The Development API reference (Scalar at <c>/scalar/v1</c>) of an app with every plugin, as a person
/// uses it in headless Chromium: opened from the launch profile, it lists the app's routes and sends a
/// request with a token or key pasted into its Authorize box, and nothing it loads comes from elsewhere.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class ApiReferenceTests(TemplatePackFixture fixture)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task In_headless_chromium_the_reference_lists_every_route_and_calls_the_api_with_a_pasted_token_or_key()
    {
        HeadlessChromium.AssertInstalled();
        var app = await fixture.GetAppAsync(Variants.AllPlugins);
        var launchUrl = await BrowserLaunchUrlAsync(app);
        Assert.Equal("scalar/v1", launchUrl);

        // A database of its own, apart from the other tests that start this variant.
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Default"] = $"Data Source={Path.Combine(fixture.TempRoot, $"api-reference-{Guid.NewGuid():N}.db")}",
        };
        var email = $"ada-{Guid.NewGuid():N}@example.com";
        await app.RunCommandAsync(environment, "users", "create", email);
        var accessToken = JsonNode.Parse(await app.RunCommandAsync(environment, "tokens", "create", email))!["accessToken"]!.GetValue<string>();
        var apiKey = await app.RunCommandAsync(environment, "apikeys", "create", "--name", "reference", "--scopes", "items:read");

        await using var process = app.Start([app.AppAssembly, "--urls", "http://127.0.0.1:0"], app.ProjectDirectory, environment);
        var baseAddress = await process.WaitForListeningAsync(StartupTimeout);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var requested = new List<string>();
        context.Request += (_, request) => { lock (requested) { requested.Add(request.Url); } };
        var page = await context.NewPageAsync();
        var reference = new Uri(baseAddress, launchUrl).ToString();

        await page.GotoAsync(reference);
        // Scalar renders a tag's operations once its group is open; the first group starts open.
        foreach (var (tag, paths) in PathsByTag(document))
        {
            var open = page.GetByRole(AriaRole.Button, new() { Name = "Open Group - " + tag, Exact = true });
            if (await open.CountAsync() > 0)
            {
                await open.ClickAsync();
            }

            await page.WaitForFunctionAsync("paths => paths.every(p => document.body.innerText.includes(p))", paths, new() { Timeout = 15_000 });
        }

        // The preselected scheme is the bearer token.
        await page.GetByPlaceholder("Token").FillAsync(accessToken);
        var withToken = await SendListItemsAsync(page);
        Assert.Equal(200, withToken.Status);
        Assert.Equal("Bearer " + accessToken, await withToken.Request.HeaderValueAsync("authorization"));

        // A fresh page (credentials are not kept), switched to the API key alone: two credentials would be a 400.
        await page.GotoAsync(reference);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = SelectedAuthType() }).First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "ApiKey", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Bearer", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).First.ClickAsync();
        await page.GetByLabel("Value").First.FillAsync(apiKey);
        var withKey = await SendListItemsAsync(page);
        Assert.Equal(200, withKey.Status);
        Assert.Equal(apiKey, await withKey.Request.HeaderValueAsync("x-api-key"));
        Assert.Null(await withKey.Request.HeaderValueAsync("authorization"));

        lock (requested)
        {
            Assert.Contains(requested, url => new Uri(url).AbsolutePath == "/openapi/v1.json");
            var elsewhere = requested.Where(url => new Uri(url) is not { Scheme: "http", Host: "127.0.0.1" or "localhost" }).ToList();
            Assert.True(elsewhere.Count == 0, "The page requested addresses off this machine:\n" + string.Join('\n', elsewhere));
        }

        Assert.False(process.HasExited, process.Describe("The app exited while serving requests."));
    }

    /// <summary>Opens GET /items in the page's API client, sends it and waits for the client to show the answer.</summary>
    private static async Task<IResponse> SendListItemsAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Test Request (get /items)" }).ClickAsync();
        var client = page.GetByRole(AriaRole.Dialog);
        var response = await page.RunAndWaitForResponseAsync(
            () => client.GetByRole(AriaRole.Button, new() { NameRegex = SendButton() }).First.ClickAsync(),
            r => new Uri(r.Url).AbsolutePath == "/items");
        await client.GetByText($"{response.Status} {response.StatusText}", new() { Exact = true }).WaitForAsync();
        return response;
    }

    /// <summary>The document's paths grouped by their operations' first tag, in document order.</summary>
    private static List<(string Tag, string[] Paths)> PathsByTag(JsonDocument document) =>
        document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(operation => operation.Value.TryGetProperty("tags", out _))
                .Select(operation => (Tag: operation.Value.GetProperty("tags")[0].GetString()!, Path: path.Name)))
            .GroupBy(entry => entry.Tag, StringComparer.Ordinal)
            .Select(group => (group.Key, group.Select(entry => entry.Path).Distinct(StringComparer.Ordinal).ToArray()))
            .ToList();

    /// <summary>The launchUrl of the project's launch profiles that open a browser (they must agree).</summary>
    private static async Task<string?> BrowserLaunchUrlAsync(ScaffoldedApp app)
    {
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "Properties", "launchSettings.json")))!;
        var urls = settings["profiles"]!.AsObject()
            .Where(profile => profile.Value?["launchBrowser"]?.GetValue<bool>() == true)
            .Select(profile => profile.Value?["launchUrl"]?.GetValue<string>())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.True(urls.Count == 1, $"{app}: the profiles that open a browser open [{string.Join(", ", urls)}].");
        return urls[0];
    }

    /// <summary>Runs one of the app's commands and returns the last line it printed.</summary>
    [GeneratedRegex("^Selected Auth Type")]
    private static partial Regex SelectedAuthType();

    [GeneratedRegex("^Send")]
    private static partial Regex SendButton();
}
