using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The usage tracker as users meet it: the item added to a fresh <c>dotnet new webapi</c> project and wired
/// by following the instructions it printed, and the dashboard of <c>authapi --usage</c> apps rendered by headless Chromium.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class UsageTrackerTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The "your own authentication scheme" of the instructions: a header naming an admin.</summary>
    private const string DevAuthentication = """
        using System.Security.Claims;
        using System.Text.Encodings.Web;
        using Microsoft.AspNetCore.Authentication;
        using Microsoft.Extensions.Options;

        namespace Web1;

        public sealed class DevAdminHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
            : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
        {
            protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
                Task.FromResult(Request.Headers["X-Dev-Admin"].ToString() is { Length: > 0 } name
                    ? AuthenticateResult.Success(new AuthenticationTicket(
                        new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", name), new Claim("role", "admin")], "Dev", "sub", "role")), "Dev"))
                    : AuthenticateResult.NoResult());
        }
        """;

    [Fact]
    public async Task The_item_added_to_a_fresh_webapi_project_builds_and_tracks_requests_as_its_instructions_say()
    {
        var project = await WebApiWithItems.CreateAsync(fixture, "usagetracker-webapi", "Web1", ["usagetracker", "--sampling-rate", "0.5", "--retention-days", "9"]);
        var csproj = await File.ReadAllTextAsync(Path.Combine(project.Directory, "Web1.csproj"));
        Assert.Contains("Microsoft.EntityFrameworkCore.Sqlite", csproj, StringComparison.Ordinal);
        var options = await File.ReadAllTextAsync(Path.Combine(project.Directory, "Usage", "UsageOptions.cs"));
        Assert.Contains("namespace Web1.Usage;", options, StringComparison.Ordinal);
        Assert.Contains("DefaultSamplingRate = 0.5;", options, StringComparison.Ordinal);
        Assert.Contains("DefaultRetentionDays = 9;", options, StringComparison.Ordinal);

        var instructions = PrintedInstructions.Parse(project.ItemResults[0].Output, new Dictionary<string, string> { ["<RootNamespace>"] = project.RootNamespace });
        var environment = await instructions.ApplyToAsync(project);
        // The user's own authentication scheme the instructions ask for.
        project.InsertAfter("var builder = WebApplication.CreateBuilder(args);",
            "builder.Services.AddAuthentication(\"Dev\").AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, Web1.DevAdminHandler>(\"Dev\", null);");
        await File.WriteAllTextAsync(Path.Combine(project.Directory, "DevAuthentication.cs"), DevAuthentication);

        (await project.BuildAsync()).EnsureSuccess("The webapi project with the usage tracker, wired as printed, does not build with warnings as errors.");

        // The app's own migrate command makes the database before the app first starts.
        Assert.Equal([["migrate"]], instructions.Commands);
        await instructions.RunCommandsAsync(project, environment);
        Assert.True(File.Exists(Path.Combine(project.Directory, "App_Data", "app.db")), "The migrate command created no database.");

        await using var process = project.Start(environment);
        var baseAddress = await process.WaitForListeningAsync(StartupTimeout);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/weatherforecast", UriKind.Relative))).StatusCode);
        }

        await http.GetAsync(new Uri("/no/such/thing?token=secret", UriKind.Relative));

        // Protected until a scheme signs the caller in; the page itself is public.
        var refused = await http.GetAsync(new Uri("/usage/stats", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(Assert.Single(instructions.PagesToOpen), UriKind.Relative))).StatusCode);

        http.DefaultRequestHeaders.Add("X-Dev-Admin", "ops");
        var stats = await GetJsonAsync(http, "/usage/stats");
        Assert.True(stats.GetProperty("totalRequests").GetInt64() == 8, process.Describe(stats.ToString()));
        var endpoints = await GetJsonAsync(http, "/usage/endpoints");
        Assert.Contains(endpoints.EnumerateArray(), e => e.GetProperty("route").GetString() == "/weatherforecast" && e.GetProperty("count").GetInt64() == 7);
        Assert.Contains(endpoints.EnumerateArray(), e => e.GetProperty("route").GetString() == "(unmatched)" && e.GetProperty("count").GetInt64() == 1);
        Assert.False(process.HasExited, process.Describe("The app exited while serving requests."));
    }

    [Fact]
    public async Task The_dashboard_in_headless_chromium_shows_the_numbers_the_api_returns()
    {
        HeadlessChromium.AssertInstalled();
        var app = await fixture.GetAppAsync(Variants.UsageOpen);
        await using var process = app.Start(
            [app.AppAssembly, "--urls", "http://127.0.0.1:0"],
            app.ProjectDirectory,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var baseAddress = await process.WaitForListeningAsync(StartupTimeout);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        for (var i = 0; i < 12; i++)
        {
            await http.GetAsync(new Uri("/items", UriKind.Relative));
        }

        for (var i = 0; i < 3; i++)
        {
            await http.GetAsync(new Uri($"/nope/{i}", UriKind.Relative));
        }

        var profile = Path.Combine(fixture.TempRoot, "chromium-profile");
        var chromium = await ProcessRunner.RunAsync(
            HeadlessChromium.ExecutablePath,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=8000", "--dump-dom",
                new Uri(baseAddress, "/usage/dashboard").ToString(),
            ],
            fixture.TempRoot,
            new Dictionary<string, string?>(),
            TimeSpan.FromMinutes(2));
        var dom = chromium.Output;
        Assert.True(dom.Contains("data-loaded=\"true\"", StringComparison.Ordinal), chromium.Describe("The dashboard never loaded its data."));

        // The page's requests are not tracked, so the API now answers what the page showed.
        var stats = await GetJsonAsync(http, "/usage/stats");
        Assert.Equal(15, stats.GetProperty("totalRequests").GetInt64());
        Assert.Equal("15", Shown(dom, "total-requests"));
        Assert.Equal("15", Shown(dom, "rt-requests"));
        Assert.Equal(stats.GetProperty("errorRate").GetDouble(), double.Parse(Shown(dom, "error-rate"), CultureInfo.InvariantCulture));
        Assert.Equal(stats.GetProperty("p95Ms").GetDouble(), double.Parse(Shown(dom, "p95"), CultureInfo.InvariantCulture));
        Assert.Equal(stats.GetProperty("p99Ms").GetDouble(), double.Parse(Shown(dom, "p99"), CultureInfo.InvariantCulture));
        Assert.Contains("<td>GET</td><td>/items</td><td>12</td>", dom, StringComparison.Ordinal);
        Assert.Contains("<td>GET</td><td>(unmatched)</td><td>3</td>", dom, StringComparison.Ordinal);
        Assert.Contains("<td>anonymous</td><td>15</td>", dom, StringComparison.Ordinal);
        Assert.Contains("<polyline", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_names_consumers_breaks_down_status_classes_and_draws_labelled_charts_for_every_range()
    {
        HeadlessChromium.AssertInstalled();
        var app = await fixture.GetAppAsync(Variants.AllPlugins);
        var folder = Path.Combine(fixture.TempRoot, "usage-dashboard");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Default"] = "Data Source=" + Path.Combine(folder, "app.db"),
        };
        const string Email = "ana@example.com";
        (await fixture.Cli.RunAsync([app.AppAssembly, "users", "create", Email, "--roles", "admin"], app.ProjectDirectory, environment, TimeSpan.FromMinutes(2)))
            .EnsureSuccess("users create failed.");
        var tokens = (await fixture.Cli.RunAsync([app.AppAssembly, "tokens", "create", Email], app.ProjectDirectory, environment, TimeSpan.FromMinutes(2)))
            .EnsureSuccess("tokens create failed.");
        var accessToken = JsonNode.Parse(tokens.LastLine)!["accessToken"]!.GetValue<string>();
        var created = (await fixture.Cli.RunAsync([app.AppAssembly, "apikeys", "create", "--name", "reporting-key", "--scopes", "items:read,usage:read"], app.ProjectDirectory, environment, TimeSpan.FromMinutes(2)))
            .EnsureSuccess("apikeys create failed.");
        var key = created.LastLine;

        await using var process = app.Start([app.AppAssembly, "--urls", "http://127.0.0.1:0"], app.ProjectDirectory, environment);
        var baseAddress = await process.WaitForListeningAsync(StartupTimeout);
        using var asKey = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        asKey.DefaultRequestHeaders.Add("X-API-Key", key);
        using var asUser = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        asUser.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        using var anonymous = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // 8 × 2xx, 3 × 4xx: the key reads items, the user reads items and misses two, a stranger is refused.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await asKey.GetAsync(new Uri("/items", UriKind.Relative))).StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await asUser.GetAsync(new Uri("/items", UriKind.Relative))).StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await asUser.GetAsync(new Uri($"/items/{Guid.NewGuid()}", UriKind.Relative))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/items", UriKind.Relative))).StatusCode);

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var failures = new List<string>();
        // Only script errors: the signed-out page's first calls are expected 401s, which Chromium logs too.
        page.PageError += (_, error) => { lock (failures) { failures.Add(error); } };
        await page.GotoAsync(new Uri(baseAddress, "/usage/dashboard").ToString());

        // Signed out, the page asks for a credential: the key, which holds usage:read.
        await page.WaitForSelectorAsync("#signin:not([hidden])");
        await page.SelectOptionAsync("#kind", "apikey");
        await page.FillAsync("#credential", key);
        await page.ClickAsync("#signin button[type=submit]");

        foreach (var range in (string[])["1h", "24h", "7d", "30d"])
        {
            await page.ClickAsync($"#ranges button[data-range='{range}']");
            await page.WaitForSelectorAsync($"body[data-window='{range}']", new() { Timeout = 30_000 });
            Assert.Equal("true", await page.GetAttributeAsync($"#ranges button[data-range='{range}']", "aria-pressed"));

            var consumers = await page.InnerTextAsync("#users");
            Assert.Contains("reporting-key", consumers, StringComparison.Ordinal);
            Assert.Contains(Email, consumers, StringComparison.Ordinal);
            Assert.Contains("apikey:", consumers, StringComparison.Ordinal);

            Assert.Equal("11", await page.GetAttributeAsync("#total-requests", "data-value"));
            Assert.Equal("8", await page.GetAttributeAsync("#class-2xx", "data-value"));
            Assert.Equal("0", await page.GetAttributeAsync("#class-3xx", "data-value"));
            Assert.Equal("3", await page.GetAttributeAsync("#class-4xx", "data-value"));
            Assert.Equal("0", await page.GetAttributeAsync("#class-5xx", "data-value"));

            foreach (var chart in (string[])["#chart-window", "#chart-window-errors", "#chart-window-p95", "#chart-rps"])
            {
                // Waits and retries: the live chart redraws every second, and is empty for an instant while it does.
                await Assertions.Expect(page.Locator($"{chart} text.axis-x")).ToHaveCountAsync(5);
                await Assertions.Expect(page.Locator($"{chart} text.axis-y")).ToHaveCountAsync(3);
                Assert.All(await page.Locator($"{chart} text.axis-x").AllTextContentsAsync(), label => Assert.False(string.IsNullOrWhiteSpace(label)));
            }

            // Past the last hour every seeded request falls in one bucket: a single point, still drawn.
            var points = int.Parse((await page.GetAttributeAsync("#chart-window", "data-points"))!, CultureInfo.InvariantCulture);
            if (range != "1h")
            {
                Assert.Equal(1, points);
            }

            Assert.True(points >= 1, $"{range}: the requests chart shows no point.");
            Assert.True(await page.Locator("#chart-window circle.dot").CountAsync() >= 1, $"{range}: the single point is not drawn.");

            var screenshot = Path.Combine(folder, $"dashboard-{range}.png");
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
            output.WriteLine($"Screenshot ({range}): {screenshot}");
        }

        lock (failures)
        {
            Assert.True(failures.Count == 0, "The page's script failed: " + string.Join(Environment.NewLine, failures));
        }

        Assert.False(process.HasExited, process.Describe("The app exited while serving requests."));
    }


    private static string Shown(string dom, string id)
    {
        var match = Regex.Match(dom, $"id=\"{Regex.Escape(id)}\" data-value=\"(?<value>[^\"]*)\"");
        Assert.True(match.Success, $"#{id} has no value in the rendered dashboard.");
        return match.Groups["value"].Value;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} -> {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

}
