using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.GoogleStandIn;
using AuthApi.Templates.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AuthApi.Templates.Tests;

/// <summary>
/// Google sign-in for real, against a local stand-in for Google: in headless Chromium through the
/// popup of <c>/login.html</c> (an <c>authapi --google</c> app), and over HTTP in a fresh
/// <c>dotnet new webapi</c> project with the <c>googleauth</c> item wired as its instructions say.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class GoogleSignInTests(TemplatePackFixture fixture)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task In_headless_chromium_the_login_page_signs_in_through_the_popup_and_with_an_ID_token()
    {
        HeadlessChromium.AssertInstalled();
        var app = await fixture.GetAppAsync(Variants.AllPlugins);
        var email = $"ada-{Guid.NewGuid():N}@example.com";
        await using var google = await GoogleStandInServer.StartAsync(fixture, "110248495921238986420", email);
        var environment = google.AppEnvironment();
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        await using var process = app.Start([app.AppAssembly, "--urls", "http://127.0.0.1:0"], app.ProjectDirectory, environment);
        var listening = await process.WaitForListeningAsync(StartupTimeout);
        // Chromium treats http://localhost as a secure context, so the Secure cookies of the flow work there.
        var origin = $"http://localhost:{listening.Port}";

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync();
        var urls = new List<string>();
        context.Request += (_, request) => { lock (urls) { urls.Add(request.Url); } };
        var page = await context.NewPageAsync();
        await page.GotoAsync(origin + "/login.html");

        var popup = await page.RunAndWaitForPopupAsync(() => page.ClickAsync("#google-redirect"));
        var popupClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        popup.Close += (_, _) => popupClosed.TrySetResult();
        if (!popup.IsClosed)
        {
            // The popup closes itself once it has posted the login code to this page.
            await popupClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        await page.WaitForSelectorAsync("#signed-in:not([hidden])", new() { Timeout = 30_000 });
        Assert.Equal(email, await page.TextContentAsync("#user-email"));

        lock (urls)
        {
            Assert.Contains(urls, u => u.StartsWith(origin + "/signin-google?", StringComparison.Ordinal));
            Assert.Contains(urls, u => u == origin + "/auth/google/popup");
            // Google's code arrives at the callback; after it, neither a code nor a token is ever in a URL.
            Assert.DoesNotContain(urls, u => !u.Contains("/signin-google?", StringComparison.Ordinal) && !u.Contains("/authorize?", StringComparison.Ordinal)
                && (u.Contains("code=", StringComparison.Ordinal) || JwtShape().IsMatch(u)));
        }

        await page.ClickAsync("#sign-out");
        await page.WaitForSelectorAsync("#signed-out:not([hidden])");

        // The ID-token button: what Google Identity Services would hand the page, pasted in.
        await page.ClickAsync("summary");
        await page.FillAsync("#id-token", google.IdToken);
        await page.ClickAsync("#id-token-sign-in");
        await page.WaitForSelectorAsync("#signed-in:not([hidden])", new() { Timeout = 30_000 });
        Assert.Equal(email, await page.TextContentAsync("#user-email"));
        Assert.False(process.HasExited, process.Describe("The app exited while serving requests."));
    }

    [Fact]
    public async Task GoogleAuth_in_a_fresh_webapi_builds_and_signs_in_through_the_redirect_flow_and_with_an_ID_token()
    {
        var project = await WebApiWithItems.CreateAsync(fixture, "webapi-googleauth", "Web.Google-App", ["googleauth"]);
        Assert.Contains("builder.AddGoogleAuth();", project.ItemResults[0].Output, StringComparison.Ordinal);
        var csproj = await File.ReadAllTextAsync(Path.Combine(project.Directory, project.Name + ".csproj"));
        Assert.Contains("Microsoft.AspNetCore.Authentication.Google", csproj, StringComparison.Ordinal);
        Assert.Contains("Microsoft.AspNetCore.Authentication.JwtBearer", csproj, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(project.Directory, "wwwroot", "login.html")));

        var instructions = PrintedInstructions.Parse(project.ItemResults[0].Output, new Dictionary<string, string>
        {
            ["<RootNamespace>"] = project.RootNamespace,
            ["<your app>"] = "web-google-app",
            ["<id>"] = "web-google-app",
            ["<secret>"] = "not-the-stand-in-secret",
        });
        var printedEnvironment = await instructions.ApplyToAsync(project);
        (await project.BuildAsync()).EnsureSuccess("The webapi project with googleauth, wired as printed, does not build with warnings as errors.");

        var email = $"grace-{Guid.NewGuid():N}@example.com";
        await using var google = await GoogleStandInServer.StartAsync(fixture, "108765432109876543210", email);
        // The stand-in's client and endpoints override the printed user secrets, as the environment does.
        var environment = new Dictionary<string, string?>(printedEnvironment);
        foreach (var (key, value) in google.AppEnvironment())
        {
            environment[key] = value;
        }

        await using var app = project.Start(environment);
        var baseAddress = await app.WaitForListeningAsync(StartupTimeout);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress };
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Empty(instructions.Commands);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(Assert.Single(instructions.PagesToOpen), UriKind.Relative))).StatusCode);
        var login = await SendAsync(http, cookies, HttpMethod.Get, "/auth/google/login?returnUrl=%2Flogin.html");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var authorize = login.Headers.Location!;
        Assert.StartsWith(google.BaseUrl.ToString(), authorize.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", authorize.Query, StringComparison.Ordinal);

        // The stand-in approves at once and sends the browser back to the callback.
        var approved = await http.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Found, approved.StatusCode);
        var callback = await SendAsync(http, cookies, HttpMethod.Get, approved.Headers.Location!.PathAndQuery);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, app.Describe($"The callback answered {(int)callback.StatusCode}: {await callback.Content.ReadAsStringAsync()}"));
        Assert.Equal("/auth/google/popup", callback.Headers.Location?.OriginalString);

        var popup = await SendAsync(http, cookies, HttpMethod.Get, "/auth/google/popup");
        var html = await popup.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, popup.StatusCode);
        Assert.Equal(baseAddress.GetLeftPart(UriPartial.Authority), Attribute(html, "data-origin"));
        var exchange = await http.PostAsJsonAsync(new Uri("/auth/google/exchange", UriKind.Relative), new { code = Attribute(html, "data-code") });
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var tokens = JsonNode.Parse(await exchange.Content.ReadAsStringAsync())!;

        var me = new HttpRequestMessage(HttpMethod.Get, new Uri("/auth/me", UriKind.Relative));
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens["accessToken"]!.GetValue<string>());
        var meResponse = await http.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
        Assert.Contains(email, await meResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var idTokenSignIn = await http.PostAsJsonAsync(new Uri("/auth/google/id-token", UriKind.Relative), new { credential = google.IdToken });
        Assert.Equal(HttpStatusCode.OK, idTokenSignIn.StatusCode);
        Assert.NotNull(JsonNode.Parse(await idTokenSignIn.Content.ReadAsStringAsync())!["refreshToken"]);
        Assert.False(app.HasExited, app.Describe("The app exited while serving requests."));
    }

    /// <summary>
    /// Sends with the cookies the app set so far. HttpClient keeps Secure cookies away from http://, but the
    /// flow's cookies are Secure; a browser on localhost (or behind a TLS-terminating proxy) sends them.
    /// </summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Dictionary<string, string> cookies, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await http.SendAsync(request);
        foreach (var setCookie in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = setCookie.Split(';', 2)[0].Split('=', 2);
            if (setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                cookies.Remove(pair[0]);
            }
            else
            {
                cookies[pair[0]] = pair[1];
            }
        }

        return response;
    }

    private static string Attribute(string html, string name) =>
        Regex.Match(html, $"{Regex.Escape(name)}=\"([^\"]*)\"") is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : "";

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}")]
    private static partial Regex JwtShape();
}
