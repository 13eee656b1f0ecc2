using AuthApiTemplate.Auth.Google;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AuthApiTemplate.Tests.Google.Handoff;

public sealed class GooglePopupTests : IDisposable
{
    private readonly ApiFactory _factory = new()
    {
        Settings = { ["Authentication:Google:AllowedOrigins:0"] = "https://app.example.com" },
    };

    [Fact]
    public async Task The_popup_posts_a_login_code_not_a_token_to_the_exact_origin_and_is_never_cached()
    {
        using var browser = _factory.CreateBrowser();
        var callback = await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount());
        Assert.Equal("/auth/google/popup", callback.Headers.Location?.OriginalString);

        var popup = await browser.GetAsync("/auth/google/popup");
        var html = await popup.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, popup.StatusCode);
        Assert.True(popup.Headers.CacheControl?.NoStore);
        Assert.Equal("no-referrer", popup.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("unsafe-none", popup.Headers.GetValues("Cross-Origin-Opener-Policy").Single());
        Assert.Contains("script-src 'self'", popup.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(GoogleTestKit.Origin, GoogleTestKit.Attribute(html, "data-origin"));
        Assert.Equal(43, GoogleTestKit.Attribute(html, "data-code").Length);
        Assert.DoesNotMatch(GoogleTestKit.JwtShape(), html);
        Assert.DoesNotContain("'*'", html, StringComparison.Ordinal);

        // The hand-off cookie served that one page: a second visit gets no code.
        var again = await browser.GetAsync("/auth/google/popup");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("", GoogleTestKit.Attribute(await again.Content.ReadAsStringAsync(), "data-code"));
    }

    [Fact]
    public async Task A_copy_of_the_hand_off_cookie_serves_no_second_page()
    {
        using var browser = _factory.CreateBrowser();
        var callback = await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount());
        var handoff = callback.SetCookie(GoogleSignInMode.HandoffCookie)!.Split(';')[0];
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/auth/google/popup")).StatusCode);

        // The browser deleted its cookie; someone who copied it (an extension, a proxy log) replays it.
        using var thief = _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false, BaseAddress = browser.BaseAddress! });
        using var replay = new HttpRequestMessage(HttpMethod.Get, "/auth/google/popup");
        replay.Headers.Add("Cookie", handoff);
        var replayed = await thief.SendAsync(replay);

        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal("", GoogleTestKit.Attribute(await replayed.Content.ReadAsStringAsync(), "data-code"));
    }

    [Fact]
    public async Task A_login_code_works_once()
    {
        using var browser = _factory.CreateBrowser();
        var (_, code) = await GoogleSignIn.PopupAsync(browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));

        var first = await browser.PostAsJsonAsync("/auth/google/exchange", new { code });
        var second = await browser.PostAsJsonAsync("/auth/google/exchange", new { code });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.CacheControl?.NoStore);
        var problem = await ProblemAssert.IsProblemAsync(second, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Ten_concurrent_exchanges_of_one_code_give_exactly_one_token_pair()
    {
        using var browser = _factory.CreateBrowser();
        var (_, code) = await GoogleSignIn.PopupAsync(browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => browser.PostAsJsonAsync("/auth/google/exchange", new { code })));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
    }

    [Fact]
    public async Task A_login_code_expires_after_60_seconds()
    {
        using var browser = _factory.CreateBrowser();
        var (_, code) = await GoogleSignIn.PopupAsync(browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));

        _factory.Clock.Advance(TimeSpan.FromSeconds(61));

        await ProblemAssert.IsProblemAsync(await browser.PostAsJsonAsync("/auth/google/exchange", new { code }), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("https://app.example.com/after-login", "https://app.example.com")]
    [InlineData("/dashboard", GoogleTestKit.Origin)]
    [InlineData("https://evil.example/steal", GoogleTestKit.Origin)]
    [InlineData("//evil.example/steal", GoogleTestKit.Origin)]
    [InlineData("/\\evil.example", GoogleTestKit.Origin)]
    [InlineData("https://app.example.com.evil.example/", GoogleTestKit.Origin)]
    [InlineData("javascript:alert(1)", GoogleTestKit.Origin)]
    public async Task The_code_goes_only_to_our_own_origin_or_an_allow_listed_one(string returnUrl, string expectedOrigin)
    {
        using var browser = _factory.CreateBrowser();

        var (origin, _) = await GoogleSignIn.PopupAsync(browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount(), returnUrl));

        Assert.Equal(expectedOrigin, origin);
    }

    [Fact]
    public async Task The_token_pair_from_a_Google_login_works_on_the_API_and_refreshes()
    {
        using var browser = _factory.CreateBrowser();
        var tokens = await GoogleSignIn.TokensAsync(browser, await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount()));

        using var me = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        me.Headers.Authorization = new("Bearer", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(me)).StatusCode);
        var refreshed = await browser.PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
