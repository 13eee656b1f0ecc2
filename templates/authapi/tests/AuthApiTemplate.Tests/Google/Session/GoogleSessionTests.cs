using AuthApiTemplate.Auth.Google;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Google.Session;

public sealed class GoogleSessionTests : IDisposable
{
    private readonly ApiFactory _factory = new()
    {
        Settings = { ["Authentication:Google:AllowedOrigins:0"] = "https://app.example.com" },
    };

    [Fact]
    public async Task The_login_ends_in_an_HttpOnly_Secure_SameSite_host_only_cookie_and_a_redirect_to_the_return_url()
    {
        using var browser = _factory.CreateBrowser();

        var callback = await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount(), "/items");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/items", callback.Headers.Location?.OriginalString);
        var cookie = callback.SetCookie(GoogleSignInMode.SessionCookie)!.ToLowerInvariant();
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=lax", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("domain=", cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/items")).StatusCode);
    }

    [Theory]
    [InlineData("https://app.example.com/after-login", "https://app.example.com/after-login")]
    [InlineData("/dashboard?tab=1", "/dashboard?tab=1")]
    [InlineData("https://evil.example/steal", "/login.html")]
    [InlineData("//evil.example/steal", "/login.html")]
    [InlineData("/\\evil.example", "/login.html")]
    [InlineData("https://app.example.com.evil.example/", "/login.html")]
    [InlineData("javascript:alert(1)", "/login.html")]
    [InlineData("/\u3000/evil.example", "/login.html")]
    [InlineData("/caf\u00e9", "/login.html")]
    [InlineData("/caf%C3%A9?a=b%20c", "/caf%C3%A9?a=b%20c")]
    public async Task The_return_url_is_a_local_path_or_on_an_allow_listed_origin(string returnUrl, string expected)
    {
        using var browser = _factory.CreateBrowser();

        var callback = await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount(), returnUrl);

        Assert.Equal(expected, callback.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Without_a_session_the_API_answers_401_not_a_redirect_to_a_login_page()
    {
        using var browser = _factory.CreateBrowser();

        var response = await browser.GetAsync("/auth/google/me");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);

        // A cookie that is no session of ours is answered by the session scheme, which names its cookie.
        var forged = new HttpRequestMessage(HttpMethod.Get, "/auth/google/me");
        forged.Headers.Add("Cookie", $"{GoogleSignInMode.SessionCookie}=forged");
        var refused = await browser.SendAsync(forged);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized);
        var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
        Assert.Equal("Cookie", challenge.Scheme);
        Assert.Contains($"cookie-name=\"{GoogleSignInMode.SessionCookie}\"", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_ends_the_session()
    {
        using var browser = _factory.CreateBrowser();
        await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));

        var logout = await browser.PostAsync("/auth/google/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/google/me")).StatusCode);
    }

    [Fact]
    public async Task Another_site_cannot_end_the_session()
    {
        using var browser = _factory.CreateBrowser();
        await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/auth/google/logout");
        forged.Headers.Add("Sec-Fetch-Site", "cross-site");

        await ProblemAssert.IsProblemAsync(await browser.SendAsync(forged), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/auth/google/me")).StatusCode);
    }

    [Fact]
    public async Task A_session_in_use_still_ends_at_its_maximum_age()
    {
        using var browser = _factory.CreateBrowser();
        await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));
        var step = TimeSpan.FromHours(7); // inside the 8-hour idle lifetime, so each use renews the cookie

        var elapsed = TimeSpan.Zero;
        while (elapsed + step <= TimeSpan.FromDays(30))
        {
            _factory.Clock.Advance(step);
            elapsed += step;
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/auth/google/me")).StatusCode);
        }

        _factory.Clock.Advance(step);
        await ProblemAssert.IsProblemAsync(await browser.GetAsync("/auth/google/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_cross_site_write_does_not_ride_on_the_session_cookie()
    {
        using var browser = _factory.CreateBrowser();
        await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(new { name = "forged" }) };
        forged.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var genuine = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(new { name = "genuine" }) };
        genuine.Headers.Add("Sec-Fetch-Site", "same-origin");

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(genuine)).StatusCode);
    }

    [Fact]
    public async Task Disabling_the_user_ends_the_session_at_the_next_request()
    {
        var account = GoogleTestKit.NewAccount();
        using var browser = _factory.CreateBrowser();
        var me = await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, account));
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Users.UserStore>().SetDisabledAsync(me.GetProperty("id").GetGuid(), true, CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/google/me")).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_in_the_same_second_as_ending_every_session_works_and_the_ended_session_stays_ended()
    {
        var account = GoogleTestKit.NewAccount();
        var second = DateTimeOffset.FromUnixTimeSeconds(_factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
        using var before = _factory.CreateBrowser();
        _factory.Clock.SetUtcNow(second.AddMilliseconds(100));
        var me = await GoogleSignIn.CompleteAsync(_factory, before, await before.SignInThroughGoogleAsync(_factory, account));

        _factory.Clock.SetUtcNow(second.AddMilliseconds(400));
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Users.UserStore>().EndAllSessionsAsync(me.GetProperty("id").GetGuid(), CancellationToken.None);
        }

        _factory.Clock.SetUtcNow(second.AddMilliseconds(700));
        using var after = _factory.CreateBrowser();
        await GoogleSignIn.CompleteAsync(_factory, after, await after.SignInThroughGoogleAsync(_factory, account));
        Assert.Equal(HttpStatusCode.Unauthorized, (await before.GetAsync("/auth/google/me")).StatusCode);

        // A second logout everywhere in the same second ends the session dated to the first one's cut-off.
        _factory.Clock.SetUtcNow(second.AddMilliseconds(800));
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Users.UserStore>().EndAllSessionsAsync(me.GetProperty("id").GetGuid(), CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await after.GetAsync("/auth/google/me")).StatusCode);
        _factory.Clock.SetUtcNow(second.AddMilliseconds(900));
        using var last = _factory.CreateBrowser();
        await GoogleSignIn.CompleteAsync(_factory, last, await last.SignInThroughGoogleAsync(_factory, account));
    }

    [Fact]
    public async Task A_tampered_session_cookie_is_a_401()
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items");
        request.Headers.Add("Cookie", GoogleSignInMode.SessionCookie + "=CfDJ8forged-value");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
