using System.Text.Json;
using AuthApiTemplate.Auth.Google;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Google;

/// <summary>cookie mode: the callback sets the session cookie and redirects to the return URL.</summary>
public static class GoogleSignIn
{
    /// <summary>Finishes a sign-in from the callback's response; returns the signed-in user as the API reports it.</summary>
    public static async Task<JsonElement> CompleteAsync(ApiFactory factory, HttpClient browser, HttpResponseMessage callback)
    {
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)callback.StatusCode}: {await callback.Content.ReadAsStringAsync()}");
        Assert.NotNull(callback.SetCookie(GoogleSignInMode.SessionCookie));
        var me = await browser.GetAsync("/auth/google/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        return await me.Content.ReadFromJsonAsync<JsonElement>();
    }
}
