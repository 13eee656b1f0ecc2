using System.Net.Http.Headers;
using System.Text.Json;
using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Google;

/// <summary>jwt mode: the callback leads to the popup page, whose login code the opener trades for tokens.</summary>
public static class GoogleSignIn
{
    /// <summary>Finishes a sign-in from the callback's response; returns the signed-in user as the API reports it.</summary>
    public static async Task<JsonElement> CompleteAsync(ApiFactory factory, HttpClient browser, HttpResponseMessage callback)
    {
        var tokens = await TokensAsync(browser, callback);
        using var api = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/google/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var me = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        return await me.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<(string Origin, string Code)> PopupAsync(HttpClient browser, HttpResponseMessage callback)
    {
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)callback.StatusCode}: {await callback.Content.ReadAsStringAsync()}");
        Assert.Equal("/auth/google/popup", callback.Headers.Location?.OriginalString);
        var popup = await browser.GetAsync("/auth/google/popup");
        var html = await popup.Content.ReadAsStringAsync();
        Assert.True(popup.StatusCode == HttpStatusCode.OK, html);
        return (GoogleTestKit.Attribute(html, "data-origin"), GoogleTestKit.Attribute(html, "data-code"));
    }

    public static async Task<TokenPair> TokensAsync(HttpClient browser, HttpResponseMessage callback)
    {
        var (_, code) = await PopupAsync(browser, callback);
        var exchange = await browser.PostAsJsonAsync("/auth/google/exchange", new { code });
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        return (await exchange.Content.ReadFromJsonAsync<TokenPair>())!;
    }
}
