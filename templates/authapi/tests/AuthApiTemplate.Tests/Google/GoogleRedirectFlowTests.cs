using System.Web;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Google;

public sealed class GoogleRedirectFlowTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    [Fact]
    public async Task Login_redirects_to_Google_with_PKCE_S256_a_random_state_and_no_caching()
    {
        using var browser = _factory.CreateBrowser();
        var response = await browser.GetAsync("/auth/google/login");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var query = HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        Assert.Equal(GoogleStub.ClientId, query["client_id"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"]!.Length);
        Assert.Equal("https://localhost/signin-google", query["redirect_uri"]);
        Assert.Contains("openid", query["scope"]!.Split(' '));
        Assert.Contains("email", query["scope"]!.Split(' '));

        var again = HttpUtility.ParseQueryString((await browser.StartLoginAsync()).Query);
        Assert.NotEqual(query["state"], again["state"]);
        Assert.NotEqual(query["code_challenge"], again["code_challenge"]);
    }

    [Fact]
    public async Task A_new_Google_account_with_a_verified_email_signs_in_and_is_keyed_by_its_sub()
    {
        var account = GoogleTestKit.NewAccount();
        using var browser = _factory.CreateBrowser();

        var callback = await browser.SignInThroughGoogleAsync(_factory, account);
        Assert.True(callback.Headers.CacheControl?.NoStore);
        Assert.Equal("no-referrer", callback.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("unsafe-none", callback.Headers.GetValues("Cross-Origin-Opener-Policy").Single());
        Assert.DoesNotMatch(GoogleTestKit.JwtShape(), callback.Headers.Location?.OriginalString ?? "");
        var me = await GoogleSignIn.CompleteAsync(_factory, browser, callback);
        Assert.Equal(account.Email, me.GetProperty("email").GetString());
        Assert.True(me.GetProperty("googleLinked").GetBoolean());

        // Google's sub is the key: a changed email address still reaches the same user.
        using var secondBrowser = _factory.CreateBrowser();
        var renamed = account with { Email = $"renamed-{Guid.NewGuid():N}@example.com" };
        var again = await GoogleSignIn.CompleteAsync(_factory, secondBrowser, await secondBrowser.SignInThroughGoogleAsync(_factory, renamed));
        Assert.Equal(me.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("gmail.com", null)]
    [InlineData("example.com", "example.com")]
    public async Task An_address_Google_vouches_for_binds_an_existing_account_that_has_no_Google_account_yet(string domain, string? hostedDomain)
    {
        var account = GoogleTestKit.NewAccount(hostedDomain: hostedDomain, email: $"g-{Guid.NewGuid():N}@{domain}");
        var existing = await _factory.CreateUserAsync(account.Email);
        using var browser = _factory.CreateBrowser();

        var me = await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, account));

        Assert.Equal(existing.Id, me.GetProperty("id").GetGuid());
        Assert.Equal(account.Subject, (await _factory.FindUserByEmailAsync(account.Email))!.GoogleSubject);
    }

    [Theory]
    [InlineData(false, null, "email_not_verified")]
    // A consumer Google account once made on a company address that has since changed hands.
    [InlineData(true, null, "email_not_vouched_for")]
    [InlineData(true, "other.example", "email_not_vouched_for")]
    public async Task An_email_Google_does_not_vouch_for_never_links_to_an_existing_account(bool emailVerified, string? hostedDomain, string error)
    {
        var account = GoogleTestKit.NewAccount(emailVerified, hostedDomain);
        await _factory.CreateUserAsync(account.Email);
        using var browser = _factory.CreateBrowser();

        var callback = await browser.SignInThroughGoogleAsync(_factory, account);

        var problem = await ProblemAssert.IsProblemAsync(callback, HttpStatusCode.Forbidden);
        Assert.Equal(error, problem.GetProperty("error").GetString());
        Assert.Null((await _factory.FindUserByEmailAsync(account.Email))!.GoogleSubject);
        Assert.Null(callback.SetCookie("__Host-session"));
        Assert.Null(callback.SetCookie("__Host-google-handoff"));
    }

    [Fact]
    public async Task An_account_bound_to_another_Google_account_is_not_taken_over_by_a_second_one()
    {
        var owner = GoogleTestKit.NewAccount();
        await _factory.CreateUserAsync(owner.Email, owner.Subject);
        var intruder = GoogleTestKit.NewAccount(email: owner.Email);
        using var browser = _factory.CreateBrowser();

        var problem = await ProblemAssert.IsProblemAsync(await browser.SignInThroughGoogleAsync(_factory, intruder), HttpStatusCode.Forbidden);

        Assert.Equal("account_conflict", problem.GetProperty("error").GetString());
        Assert.Equal(owner.Subject, (await _factory.FindUserByEmailAsync(owner.Email))!.GoogleSubject);
    }

    [Fact]
    public async Task Without_AutoCreateUsers_an_unknown_Google_account_is_refused()
    {
        using var factory = new ApiFactory { Settings = { ["Authentication:Google:AutoCreateUsers"] = "false" } };
        var account = GoogleTestKit.NewAccount();
        using var browser = factory.CreateBrowser();

        var problem = await ProblemAssert.IsProblemAsync(await browser.SignInThroughGoogleAsync(factory, account), HttpStatusCode.Forbidden);

        Assert.Equal("no_account", problem.GetProperty("error").GetString());
        Assert.Null(await factory.FindUserByEmailAsync(account.Email));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("evil.example")]
    public async Task The_hosted_domain_is_checked_on_the_hd_claim_not_on_the_email_suffix(string? hostedDomain)
    {
        using var factory = new ApiFactory { Settings = { ["Authentication:Google:HostedDomain"] = "example.com" } };
        // The address ends in @example.com, but Google says the account is not in that Workspace.
        var account = GoogleTestKit.NewAccount(hostedDomain: hostedDomain, email: $"x-{Guid.NewGuid():N}@example.com");
        using var browser = factory.CreateBrowser();

        var authorize = await browser.StartLoginAsync();
        Assert.Equal("example.com", HttpUtility.ParseQueryString(authorize.Query)["hd"]);
        var problem = await ProblemAssert.IsProblemAsync(await browser.ReturnFromGoogleAsync(factory, authorize, account), HttpStatusCode.Forbidden);

        Assert.Equal("wrong_hosted_domain", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_account_of_the_hosted_domain_signs_in()
    {
        using var factory = new ApiFactory { Settings = { ["Authentication:Google:HostedDomain"] = "example.com" } };
        using var browser = factory.CreateBrowser();

        var me = await GoogleSignIn.CompleteAsync(factory, browser, await browser.SignInThroughGoogleAsync(factory, GoogleTestKit.NewAccount(hostedDomain: "example.com")));

        Assert.True(me.GetProperty("googleLinked").GetBoolean());
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_with_Google()
    {
        var account = GoogleTestKit.NewAccount();
        var user = await _factory.CreateUserAsync(account.Email, account.Subject);
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Users.UserStore>().SetDisabledAsync(user.Id, true, CancellationToken.None);
        }

        using var browser = _factory.CreateBrowser();
        var problem = await ProblemAssert.IsProblemAsync(await browser.SignInThroughGoogleAsync(_factory, account), HttpStatusCode.Forbidden);

        Assert.Equal("account_disabled", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_callback_without_state_is_a_400_problem_and_starts_no_session()
    {
        using var browser = _factory.CreateBrowser();

        var response = await browser.GetAsync("/signin-google?code=4%2Fabc");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_state", problem.GetProperty("error").GetString());
        Assert.Null(response.SetCookie("__Host-session"));
        Assert.Null(response.SetCookie("__Host-google-handoff"));
    }

    [Fact]
    public async Task A_state_from_another_browser_fails_the_correlation_check()
    {
        using var victim = _factory.CreateBrowser();
        var authorize = await victim.StartLoginAsync();
        using var attacker = _factory.CreateBrowser();

        // The attacker's browser has no correlation cookie for the victim's state.
        var response = await attacker.ReturnFromGoogleAsync(_factory, authorize, GoogleTestKit.NewAccount());

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_state", problem.GetProperty("error").GetString());
        Assert.Null(response.SetCookie("__Host-session"));
    }

    [Fact]
    public async Task A_browser_that_fails_the_callback_is_sent_back_to_the_login_page_with_an_error_code()
    {
        using var browser = _factory.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/signin-google?code=x&state=forged");
        request.Headers.Accept.ParseAdd("text/html");

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login.html?error=invalid_state", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Denied_consent_ends_in_an_access_denied_problem()
    {
        using var browser = _factory.CreateBrowser();
        var authorize = await browser.StartLoginAsync();
        var state = HttpUtility.ParseQueryString(authorize.Query)["state"];

        var response = await browser.GetAsync($"/signin-google?error=access_denied&state={Uri.EscapeDataString(state!)}");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("access_denied", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Google_refusing_the_code_exchange_ends_in_a_problem_not_a_500()
    {
        _factory.GoogleServer.TokenEndpointFailure = HttpStatusCode.InternalServerError;
        using var browser = _factory.CreateBrowser();

        var response = await browser.SignInThroughGoogleAsync(_factory, GoogleTestKit.NewAccount());

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("sign_in_failed", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_client()
    {
        using var factory = new ApiFactory { Settings = { ["RateLimiting:Login:PermitLimit"] = "3" } };
        using var browser = factory.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/auth/google/login")).StatusCode);
        }

        var limited = await browser.GetAsync("/auth/google/login");

        await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var idToken = await browser.PostAsJsonAsync("/auth/google/id-token", new { credential = "x" });
        Assert.Equal(HttpStatusCode.TooManyRequests, idToken.StatusCode);
    }

    [Fact]
    public async Task Another_page_cannot_use_up_a_clients_sign_in_budget_with_embedded_loads()
    {
        using var factory = new ApiFactory { Settings = { ["RateLimiting:Login:PermitLimit"] = "3" } };
        using var browser = factory.CreateBrowser();
        for (var i = 0; i < 10; i++)
        {
            // <img src="https://api.example/auth/google/login"> on some other site.
            using var embedded = new HttpRequestMessage(HttpMethod.Get, "/auth/google/login");
            embedded.Headers.Add("Sec-Fetch-Mode", "no-cors");
            embedded.Headers.Add("Sec-Fetch-Dest", "image");
            embedded.Headers.Add("Sec-Fetch-Site", "cross-site");
            await ProblemAssert.IsProblemAsync(await browser.SendAsync(embedded), HttpStatusCode.Forbidden);
        }

        using var navigation = new HttpRequestMessage(HttpMethod.Get, "/auth/google/login");
        navigation.Headers.Add("Sec-Fetch-Mode", "navigate");
        navigation.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(navigation)).StatusCode);
    }

    [Fact]
    public async Task Without_a_configured_client_the_sign_in_routes_answer_503_and_the_app_stays_ready()
    {
        using var factory = new ApiFactory
        {
            Settings = { ["Authentication:Google:ClientId"] = "", ["Authentication:Google:ClientSecret"] = "" },
        };
        using var browser = factory.CreateBrowser();

        await ProblemAssert.IsProblemAsync(await browser.GetAsync("/auth/google/login"), HttpStatusCode.ServiceUnavailable);
        await ProblemAssert.IsProblemAsync(await browser.PostAsJsonAsync("/auth/google/id-token", new { credential = "x" }), HttpStatusCode.ServiceUnavailable);
        var ready = await browser.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("Degraded", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production", "", "real-looking-secret-value")]
    [InlineData("Production", GoogleStub.ClientId, "")]
    [InlineData("Production", GoogleStub.ClientId, "changeme")]
    [InlineData("Production", GoogleStub.ClientId, "<your-client-secret>")]
    public void Outside_Development_the_app_refuses_to_start_with_a_missing_or_placeholder_client(string environment, string clientId, string secret)
    {
        using var factory = new ApiFactory
        {
            Environment = environment,
            Settings =
            {
                ["Authentication:Google:ClientId"] = clientId,
                ["Authentication:Google:ClientSecret"] = secret,
                ["Jwt:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Database:MigrateOnStartup"] = "true",
            },
        };

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Authentication:Google:", failure.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _factory.Dispose();
}
