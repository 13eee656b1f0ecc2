using System.Text.RegularExpressions;
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Google;

/// <summary>Drives the redirect flow the way a browser does: cookies kept, redirects looked at, not followed.</summary>
public static partial class GoogleTestKit
{
    public const string Origin = "https://localhost";

    public static HttpClient CreateBrowser(this ApiFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(Origin), AllowAutoRedirect = false, HandleCookies = true });

    public static GoogleAccount NewAccount(bool emailVerified = true, string? hostedDomain = null, string? email = null) =>
        new(Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "0000000",
            email ?? $"g-{Guid.NewGuid():N}@example.com", emailVerified, hostedDomain);

    /// <summary>GET /auth/google/login; returns Google's authorization URL it redirected to.</summary>
    public static async Task<Uri> StartLoginAsync(this HttpClient browser, string? returnUrl = null)
    {
        var response = await browser.GetAsync("/auth/google/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect to Google, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location!;
        Assert.StartsWith(GoogleStub.AuthorizationEndpoint + "?", location.ToString(), StringComparison.Ordinal);
        return location;
    }

    /// <summary>The user approves at Google, and Google redirects the browser to the app's callback.</summary>
    public static Task<HttpResponseMessage> ReturnFromGoogleAsync(this HttpClient browser, ApiFactory factory, Uri authorizationUrl, GoogleAccount account) =>
        browser.GetAsync("/signin-google" + factory.GoogleServer.Approve(authorizationUrl, account));

    public static async Task<HttpResponseMessage> SignInThroughGoogleAsync(this HttpClient browser, ApiFactory factory, GoogleAccount account, string? returnUrl = null) =>
        await browser.ReturnFromGoogleAsync(factory, await browser.StartLoginAsync(returnUrl), account);

    public static async Task<User> CreateUserAsync(this ApiFactory factory, string email, string? googleSubject = null, params string[] roles)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserStore>().CreateAsync(email, roles, "Existing User", googleSubject, CancellationToken.None);
    }

    public static async Task<User?> FindUserByEmailAsync(this ApiFactory factory, string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserStore>().FindByEmailAsync(email, CancellationToken.None);
    }

    public static string? SetCookie(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal))
            : null;

    public static string Attribute(string html, string name) =>
        HtmlAttribute(name).Match(html) is { Success: true } match ? System.Net.WebUtility.HtmlDecode(match.Groups[1].Value) : "";

    private static Regex HtmlAttribute(string name) => new($"{Regex.Escape(name)}=\"([^\"]*)\"", RegexOptions.CultureInvariant);

    [GeneratedRegex("""eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+""")]
    public static partial Regex JwtShape();
}
