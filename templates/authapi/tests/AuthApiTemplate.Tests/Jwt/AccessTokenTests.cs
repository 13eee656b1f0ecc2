using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Jwt;

/// <summary>SECURITY.md's JWT access token cases, against the real JwtBearer setup.</summary>
public sealed class AccessTokenTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Issued_access_tokens_are_typed_hs256_jwts_with_the_documented_claims()
    {
        var (user, tokens) = await factory.SignInAsync("admin", "editor");

        var header = JwtTestKit.DecodePart(tokens.AccessToken, 0);
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());

        var claims = JwtTestKit.DecodePart(tokens.AccessToken, 1);
        Assert.Equal(user.Id.ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal(user.Email, claims.GetProperty("email").GetString());
        Assert.Equal(["admin", "editor"], claims.GetProperty("role").EnumerateArray().Select(r => r.GetString()));
        foreach (var name in new[] { "jti", "iat", "exp", "iss", "aud", "auth_time" })
        {
            Assert.True(claims.TryGetProperty(name, out _), $"missing {name}");
        }

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(15 * 60, tokens.ExpiresIn);
        Assert.Equal(claims.GetProperty("iat").GetInt64() + tokens.ExpiresIn, claims.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task A_valid_token_is_accepted_and_roles_arrive_as_one_claim_each()
    {
        var (user, tokens) = await factory.SignInAsync("admin", "editor");
        var response = await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(user.Id.ToString(), profile!["subject"]!.GetValue<string>());
        Assert.Equal(["admin", "editor"], profile["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task No_authorization_header_is_a_401_bearer_challenge_without_an_error()
    {
        var response = await _client.GetAsync("/me/profile");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.WwwAuthenticate());
    }

    public static TheoryData<string> Garbage => new()
    {
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0",
        "....",
        new string('A', 4000),
        "\u00e9t\u00e9.\u00e9t\u00e9.\u00e9t\u00e9",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_tokens_are_401_invalid_token_never_500(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/me/profile");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        await AssertInvalidTokenAsync(await _client.SendAsync(request));
    }

    [Fact]
    public async Task A_truncated_valid_token_is_401_invalid_token()
    {
        var (_, tokens) = await factory.SignInAsync();
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken[..^5]));
    }

    [Fact]
    public async Task Two_authorization_headers_are_401_invalid_token()
    {
        var (_, tokens) = await factory.SignInAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/me/profile");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + tokens.AccessToken, "Bearer " + tokens.AccessToken]);
        await AssertInvalidTokenAsync(await _client.SendAsync(request));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task Alg_none_in_any_casing_is_refused(string alg)
    {
        var token = JwtTestKit.WithoutSignature(JwtTestKit.Header(alg), factory.ValidClaims(await UserIdAsync()));
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", token));
    }

    [Fact]
    public async Task A_stripped_or_altered_signature_is_refused()
    {
        var (_, tokens) = await factory.SignInAsync();
        var parts = tokens.AccessToken.Split('.');
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", $"{parts[0]}.{parts[1]}."));
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", $"{parts[0]}.{parts[1]}"));

        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        signature[0] ^= 0x01;
        var flipped = $"{parts[0]}.{parts[1]}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", flipped));
    }

    [Fact]
    public async Task A_token_signed_with_a_blank_or_other_key_is_refused()
    {
        var claims = factory.ValidClaims(await UserIdAsync());
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignHs256(JwtTestKit.Header(), claims, [])));
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignHs256(JwtTestKit.Header(), claims, RandomNumberGenerator.GetBytes(32))));
    }

    [Fact]
    public async Task Rs256_tokens_and_embedded_keys_are_refused()
    {
        using var attackerKey = RSA.Create(2048);
        var claims = factory.ValidClaims(await UserIdAsync());
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignRs256(JwtTestKit.Header("RS256"), claims, attackerKey)));

        var parameters = attackerKey.ExportParameters(false);
        var withJwk = JwtTestKit.Header("RS256");
        withJwk["jwk"] = new JsonObject
        {
            ["kty"] = "RSA",
            ["n"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Exponent),
        };
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignRs256(withJwk, claims, attackerKey)));

        // The classic confusion: HS256 "signed" with public key material the attacker can see.
        var confused = JwtTestKit.SignHs256(JwtTestKit.Header(), claims, attackerKey.ExportSubjectPublicKeyInfo());
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", confused));
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task Key_urls_in_the_header_are_never_fetched(string headerName)
    {
        using var attackerServer = new TcpListener(IPAddress.Loopback, 0);
        attackerServer.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)attackerServer.LocalEndpoint).Port}/keys.json";

        using var attackerKey = RSA.Create(2048);
        var header = JwtTestKit.Header("RS256");
        header[headerName] = url;
        header["kid"] = "attacker";
        var token = JwtTestKit.SignRs256(header, factory.ValidClaims(await UserIdAsync()), attackerKey);

        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", token));
        // The token is validated before the answer is sent: a fetch of the key URL would have connected by now.
        Assert.False(attackerServer.Pending(), $"the app connected to the {headerName} URL");
    }

    public static TheoryData<string, string?> BadClaims => new()
    {
        { "exp", "expired" },
        { "nbf", "future" },
        { "exp", null },
        { "iss", "https://evil.example" },
        { "aud", "someone-else" },
        { "aud", null },
        // Revocation is looked up by session and fresh-login checks read auth_time: a token without them is refused.
        { "sid", null },
        { "sid", "not-a-session" },
        { "jti", null },
        { "auth_time", null },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public async Task Lifetime_issuer_audience_and_required_claims_are_enforced(string claim, string? value)
    {
        var claims = factory.ValidClaims(await UserIdAsync());
        var now = DateTimeOffset.UtcNow;
        claims[claim] = value switch
        {
            null => null,
            // Past the allowed clock skew in both directions.
            "expired" => now.AddMinutes(-2).ToUnixTimeSeconds(),
            "future" => now.AddMinutes(2).ToUnixTimeSeconds(),
            _ => value,
        };
        if (value is null)
        {
            claims.Remove(claim);
        }

        var token = JwtTestKit.SignHs256(JwtTestKit.Header(), claims, factory.SigningKey());
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", token));
    }

    [Fact]
    public async Task A_forged_token_with_our_key_but_another_type_is_refused()
    {
        var claims = factory.ValidClaims(await UserIdAsync());
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignHs256(JwtTestKit.Header(typ: "JWT"), claims, factory.SigningKey())));
        var untyped = JwtTestKit.Header();
        untyped.Remove("typ");
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignHs256(untyped, claims, factory.SigningKey())));
    }

    [Fact]
    public async Task A_refresh_token_or_a_google_id_token_is_not_an_access_token()
    {
        var (user, tokens) = await factory.SignInAsync();
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", tokens.RefreshToken));

        var idTokenClaims = factory.ValidClaims(user.Id);
        idTokenClaims["iss"] = "https://accounts.google.com";
        idTokenClaims["aud"] = "client-id.apps.googleusercontent.com";
        idTokenClaims["email_verified"] = true;
        using var googleKey = RSA.Create(2048);
        var header = JwtTestKit.Header("RS256", "JWT");
        header["kid"] = "google-key";
        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/me/profile", JwtTestKit.SignRs256(header, idTokenClaims, googleKey)));
    }

    [Fact]
    public async Task Roles_are_matched_exactly()
    {
        var (_, user) = await factory.SignInAsync("user", "Admin", "admins");
        var forbidden = await _client.GetWithTokenAsync("/admin/ping", user.AccessToken);
        await ProblemAssert.IsProblemAsync(forbidden, HttpStatusCode.Forbidden);

        var (_, admin) = await factory.SignInAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/admin/ping", admin.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Optional_authentication_greets_anonymous_and_signed_in_callers_but_refuses_bad_credentials()
    {
        var anonymous = await _client.GetFromJsonAsync<JsonObject>("/public/hello");
        Assert.False(anonymous!["authenticated"]!.GetValue<bool>());

        var (user, tokens) = await factory.SignInAsync();
        var signedIn = await (await _client.GetWithTokenAsync("/public/hello", tokens.AccessToken)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(signedIn!["authenticated"]!.GetValue<bool>());
        Assert.Equal(user.Id.ToString(), signedIn["subject"]!.GetValue<string>());
        Assert.Contains(user.Email, signedIn["message"]!.GetValue<string>(), StringComparison.Ordinal);

        await AssertInvalidTokenAsync(await _client.GetWithTokenAsync("/public/hello", tokens.AccessToken + "x"));
    }

    [Fact]
    public async Task Auth_me_returns_the_stored_user()
    {
        var (user, tokens) = await factory.SignInAsync("admin");
        var me = await (await _client.GetWithTokenAsync("/auth/me", tokens.AccessToken)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(user.Id.ToString(), me!["id"]!.GetValue<string>());
        Assert.Equal(user.Email, me["email"]!.GetValue<string>());
        Assert.Equal(["admin"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task Items_need_a_signed_in_caller()
    {
        await ProblemAssert.IsProblemAsync(await _client.GetAsync("/items"), HttpStatusCode.Unauthorized);
        var (_, tokens) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/items", tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostWithTokenAsync("/items", tokens.AccessToken, new { name = "mine" })).StatusCode);
    }

    private async Task<Guid> UserIdAsync() => (await factory.SignInAsync()).User.Id;

    private static async Task AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.WwwAuthenticate(), StringComparison.Ordinal);
    }
}
