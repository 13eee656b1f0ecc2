using AuthApiTemplate.Auth.Google;
#if (googleJwt)
using AuthApiTemplate.Auth.Jwt;
#endif
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Tests.Google;

public sealed class GoogleIdTokenTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string credential) =>
        client.PostAsJsonAsync("/auth/google/id-token", new { credential });

    [Fact]
    public async Task A_valid_Google_ID_token_signs_in_with_no_caching()
    {
        var account = GoogleTestKit.NewAccount();
        using var browser = _factory.CreateBrowser();

        var response = await SignInAsync(browser, _factory.GoogleServer.IssueIdToken(account));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
#if (googleJwt)
        var tokens = await response.Content.ReadFromJsonAsync<TokenPair>();
        Assert.Equal("Bearer", tokens!.TokenType);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/auth/google/me");
        me.Headers.Authorization = new("Bearer", tokens.AccessToken);
        var user = await (await browser.SendAsync(me)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
#else
        var cookie = response.SetCookie(GoogleSignInMode.SessionCookie)!;
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var user = await (await browser.GetAsync("/auth/google/me")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
#endif
        Assert.Equal(account.Email, user.GetProperty("email").GetString());
        Assert.Equal(account.Subject, (await _factory.FindUserByEmailAsync(account.Email))!.GoogleSubject);
    }

    public static TheoryData<string> ForgedTokens => new()
    {
        "wrong audience", "wrong issuer", "expired", "not yet valid", "unknown key", "alg none", "HS256 with the public key", "no expiry",
    };

    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task An_ID_token_that_is_not_Googles_for_this_app_is_a_401(string forgery)
    {
        var google = _factory.GoogleServer;
        var account = GoogleTestKit.NewAccount();
        var now = DateTimeOffset.UtcNow;
        var token = forgery switch
        {
            "wrong audience" => google.IssueIdToken(account, c => c["aud"] = "another-client.apps.googleusercontent.com"),
            "wrong issuer" => google.IssueIdToken(account, c => c["iss"] = "https://accounts.google.evil"),
            "expired" => google.IssueIdToken(account, c => { c["iat"] = now.AddHours(-2).ToUnixTimeSeconds(); c["exp"] = now.AddMinutes(-5).ToUnixTimeSeconds(); }),
            "not yet valid" => google.IssueIdToken(account, c => c["nbf"] = now.AddMinutes(10).ToUnixTimeSeconds()),
            "unknown key" => google.IssueIdToken(account, key: GoogleStub.UnpublishedKey()),
            "alg none" => Unsigned(google.IssueIdToken(account)),
            "HS256 with the public key" => google.IssueIdToken(account,
                key: new SymmetricSecurityKey(google.CurrentKey.Rsa.ExportSubjectPublicKeyInfo()) { KeyId = google.CurrentKey.KeyId },
                algorithm: SecurityAlgorithms.HmacSha256),
            _ => google.IssueIdToken(account, c => c.Remove("exp")),
        };
        using var client = _factory.CreateBrowser();

        var response = await SignInAsync(client, token);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_token", problem.GetProperty("error").GetString());
        Assert.Null(await _factory.FindUserByEmailAsync(account.Email));
    }

    [Fact]
    public async Task What_is_not_an_RS256_token_from_Google_for_this_app_is_refused_without_fetching_Googles_keys()
    {
        var google = _factory.GoogleServer;
        var account = GoogleTestKit.NewAccount();
        using var client = _factory.CreateBrowser();

        foreach (var credential in new[]
        {
            "garbage",
            "a.b.c",
            "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
            google.IssueIdToken(account, c => c["aud"] = "another-client.apps.googleusercontent.com"),
            google.IssueIdToken(account, c => c["iss"] = "https://accounts.google.evil"),
            Unsigned(google.IssueIdToken(account)),
        })
        {
            var problem = await ProblemAssert.IsProblemAsync(await SignInAsync(client, credential), HttpStatusCode.Unauthorized);
            Assert.Equal("invalid_token", problem.GetProperty("error").GetString());
        }

        Assert.Equal(0, google.JwksFetches);
    }

    [Fact]
    public async Task A_token_signed_with_a_newly_published_key_refreshes_the_key_set_at_most_once_a_minute()
    {
        using var client = _factory.CreateBrowser();
        var google = _factory.GoogleServer;
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, google.IssueIdToken(GoogleTestKit.NewAccount()))).StatusCode);
        var fetches = google.JwksFetches;

        // Google rotates its keys: the unknown kid makes the app fetch the key set again, once.
        _factory.Clock.Advance(TimeSpan.FromSeconds(61));
        google.RotateKey();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, google.IssueIdToken(GoogleTestKit.NewAccount()))).StatusCode);
        Assert.Equal(fetches + 1, google.JwksFetches);

        // Within the minute, made-up key ids do not make it fetch again...
        for (var i = 0; i < 5; i++)
        {
            var forged = google.IssueIdToken(GoogleTestKit.NewAccount(), key: GoogleStub.UnpublishedKey());
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(client, forged)).StatusCode);
        }

        Assert.Equal(fetches + 1, google.JwksFetches);
        google.RotateKey();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(client, google.IssueIdToken(GoogleTestKit.NewAccount()))).StatusCode);

        // ...and a minute later a genuinely new key is picked up.
        _factory.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, google.IssueIdToken(GoogleTestKit.NewAccount()))).StatusCode);
        Assert.Equal(fetches + 2, google.JwksFetches);
    }

    [Fact]
    public async Task An_ID_token_with_an_unverified_email_does_not_create_an_account()
    {
        var account = GoogleTestKit.NewAccount(emailVerified: false);
        using var client = _factory.CreateBrowser();

        var problem = await ProblemAssert.IsProblemAsync(await SignInAsync(client, _factory.GoogleServer.IssueIdToken(account)), HttpStatusCode.Forbidden);

        Assert.Equal("email_not_verified", problem.GetProperty("error").GetString());
        Assert.Null(await _factory.FindUserByEmailAsync(account.Email));
    }

    [Fact]
    public async Task An_ID_token_with_an_unverified_email_does_not_sign_in_a_known_account_either()
    {
        var account = GoogleTestKit.NewAccount(emailVerified: false);
        await _factory.CreateUserAsync(account.Email, account.Subject);
        using var client = _factory.CreateBrowser();

        var problem = await ProblemAssert.IsProblemAsync(await SignInAsync(client, _factory.GoogleServer.IssueIdToken(account)), HttpStatusCode.Forbidden);

        Assert.Equal("email_not_verified", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_Google_ID_token_is_not_accepted_as_an_API_credential()
    {
        var account = GoogleTestKit.NewAccount();
        await _factory.CreateUserAsync(account.Email, account.Subject, "admin");
        using var client = _factory.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/google/me");
        request.Headers.Authorization = new("Bearer", _factory.GoogleServer.IssueIdToken(account));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_credential_is_a_400_and_a_non_JSON_body_a_415()
    {
        using var client = _factory.CreateBrowser();

        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("/auth/google/id-token", new { }), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(
            await client.PostAsync("/auth/google/id-token", new FormUrlEncodedContent([new("credential", "x")])), HttpStatusCode.UnsupportedMediaType);
    }

    private static string Unsigned(string token)
    {
        var parts = token.Split('.');
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        return $"{header}.{parts[1]}.";
    }

    public void Dispose() => _factory.Dispose();
}
