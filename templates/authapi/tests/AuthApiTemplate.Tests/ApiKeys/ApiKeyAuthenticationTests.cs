using System.Text.Json.Nodes;
using AuthApiTemplate.Auth.ApiKeys;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests.ApiKeys;

/// <summary>SECURITY.md's API key cases.</summary>
public sealed class ApiKeyAuthenticationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task A_valid_key_in_either_header_is_accepted()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/items", created.Secret)).StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Get, "/items");
        request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + created.Secret);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Unknown_malformed_revoked_and_expired_keys_get_one_identical_401()
    {
        // An app of its own, whose clock this test moves past the expiring key's end.
        using var timed = new ApiFactory();
        var client = timed.CreateClient();
        var revoked = await timed.CreateKeyAsync(["items:read"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", revoked.Secret)).StatusCode);
        await using (var scope = timed.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().RevokeAsync(revoked.Key.Id, CancellationToken.None);
        }

        var expiring = await timed.CreateKeyAsync(["items:read"], expiresAt: timed.Clock.GetUtcNow().AddMinutes(1));
        timed.Clock.Advance(TimeSpan.FromMinutes(2));
        var unknown = ApiKeyFormat.NewKey("ak");
        var malformed = revoked.Secret[..^1] + (revoked.Secret[^1] == 'a' ? 'b' : 'a');

        var responses = new List<HttpResponseMessage>();
        foreach (var key in new[] { unknown, malformed, revoked.Secret, expiring.Secret, "x", new string('k', 300) })
        {
            responses.Add(await client.GetWithKeyAsync("/items", key));
        }

        var first = responses[0];
        await ProblemAssert.IsProblemAsync(first, HttpStatusCode.Unauthorized);
        var body = await ApiKeyTestKit.StableProblemAsync(first);
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(body, await ApiKeyTestKit.StableProblemAsync(response));
            Assert.Equal(first.Headers.WwwAuthenticate.ToString(), response.Headers.WwwAuthenticate.ToString());
            Assert.Equal(
                first.Headers.Where(h => h.Key != "Date").Select(h => h.Key).Order(),
                response.Headers.Where(h => h.Key != "Date").Select(h => h.Key).Order());
        }
    }

    [Fact]
    public async Task Expiry_is_exact_to_the_second()
    {
        using var timed = new ApiFactory();
        var client = timed.CreateClient();
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1);
        var created = await timed.CreateKeyAsync(["items:read"], expiresAt);

        timed.Clock.SetUtcNow(expiresAt.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", created.Secret)).StatusCode);

        timed.Clock.SetUtcNow(expiresAt.AddSeconds(1));
        await ProblemAssert.IsProblemAsync(await client.GetWithKeyAsync("/items", created.Secret), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Rotation_works_at_once_and_the_old_secret_only_within_the_grace_period()
    {
        using var timed = new ApiFactory();
        timed.Settings["ApiKeys:RotationGracePeriod"] = "01:00:00";
        var client = timed.CreateClient();
        var original = await timed.CreateKeyAsync(["items:read"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", original.Secret)).StatusCode);

        CreatedApiKey rotated;
        await using (var scope = timed.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<ApiKeyStore>();
            rotated = await store.RotateAsync((await store.FindAsync(original.Key.Id, CancellationToken.None))!, CancellationToken.None);
        }

        Assert.NotEqual(original.Secret, rotated.Secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", rotated.Secret)).StatusCode);

        var old = await client.GetWithKeyAsync("/items", original.Secret);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.StartsWith("@", Assert.Single(old.Headers.GetValues("Deprecation")), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(Assert.Single(old.Headers.GetValues("Sunset")), out var sunset));
        Assert.InRange(sunset, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));

        timed.Clock.Advance(TimeSpan.FromMinutes(61));
        await ProblemAssert.IsProblemAsync(await client.GetWithKeyAsync("/items", original.Secret), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", rotated.Secret)).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_key_stops_it_at_once_even_while_cached()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/items", created.Secret)).StatusCode);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().RevokeAsync(created.Key.Id, CancellationToken.None);
        }

        await ProblemAssert.IsProblemAsync(await _client.GetWithKeyAsync("/items", created.Secret), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(new[] { "items:*" }, "GET", HttpStatusCode.OK)]
    [InlineData(new[] { "items:*" }, "POST", HttpStatusCode.Created)]
    [InlineData(new[] { "items:read" }, "POST", HttpStatusCode.Forbidden)]
    [InlineData(new[] { "items:write" }, "GET", HttpStatusCode.Forbidden)]
    [InlineData(new string[0], "GET", HttpStatusCode.Forbidden)]
    [InlineData(new[] { "keys:manage" }, "GET", HttpStatusCode.Forbidden)]
    [InlineData(new[] { "keys:manage", "items:read" }, "GET", HttpStatusCode.OK)]
    [InlineData(new[] { "*" }, "POST", HttpStatusCode.Created)]
    public async Task Scopes_decide_what_a_key_may_do(string[] scopes, string method, HttpStatusCode expected)
    {
        var created = await factory.CreateKeyAsync(scopes);
        var response = method == "GET"
            ? await _client.GetWithKeyAsync("/items", created.Secret)
            : await _client.PostWithKeyAsync("/items", created.Secret, new { name = "scoped" });
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Ambiguous_credentials_are_a_400()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);

        var twoHeaders = new HttpRequestMessage(HttpMethod.Get, "/items");
        twoHeaders.Headers.TryAddWithoutValidation(ApiKeyAuthenticationHandler.HeaderName, [created.Secret, created.Secret]);
        await ProblemAssert.IsProblemAsync(await _client.SendAsync(twoHeaders), HttpStatusCode.BadRequest);

        var headerAndQuery = new HttpRequestMessage(HttpMethod.Get, "/items?api_key=" + created.Secret).WithKey(created.Secret);
        await ProblemAssert.IsProblemAsync(await _client.SendAsync(headerAndQuery), HttpStatusCode.BadRequest);

        var keyAndBearer = new HttpRequestMessage(HttpMethod.Get, "/items").WithKey(created.Secret);
        keyAndBearer.Headers.TryAddWithoutValidation("Authorization", "Bearer something");
        await ProblemAssert.IsProblemAsync(await _client.SendAsync(keyAndBearer), HttpStatusCode.BadRequest);

        // Two Authorization headers, one of them a good key: the other one is not ignored.
        var twoAuthorizationHeaders = new HttpRequestMessage(HttpMethod.Get, "/items");
        twoAuthorizationHeaders.Headers.TryAddWithoutValidation("Authorization", ["ApiKey " + created.Secret, "Bearer something"]);
        await ProblemAssert.IsProblemAsync(await _client.SendAsync(twoAuthorizationHeaders), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_key_in_the_query_string_is_refused_unless_enabled()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);
        var refused = await _client.GetAsync("/items?api_key=" + created.Secret);
        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.DoesNotContain(created.Secret, problem.ToString(), StringComparison.Ordinal);

        using var enabled = new ApiFactory();
        enabled.Settings["ApiKeys:AllowQueryString"] = "true";
        var key = await enabled.CreateKeyAsync(["items:read"]);
        Assert.Equal(HttpStatusCode.OK, (await enabled.CreateClient().GetAsync("/items?api_key=" + key.Secret)).StatusCode);
    }

    [Fact]
    public async Task Repeated_invalid_keys_from_one_client_are_rate_limited()
    {
        using var strict = new ApiFactory();
        strict.Settings["ApiKeys:FailedAttemptsPerMinute"] = "3";
        var client = strict.CreateClient();
        var valid = await strict.CreateKeyAsync(["items:read"]);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetWithKeyAsync("/items", ApiKeyFormat.NewKey("ak"))).StatusCode);
        }

        var limited = await client.GetWithKeyAsync("/items", ApiKeyFormat.NewKey("ak"));
        await ProblemAssert.IsProblemAsync(limited, (HttpStatusCode)429);
        Assert.NotNull(limited.Headers.RetryAfter);
        // While blocked, keys that would need a database lookup are not looked up.
        Assert.Equal((HttpStatusCode)429, (await client.GetWithKeyAsync("/items", valid.Secret)).StatusCode);
    }

    [Fact]
    public async Task A_blocked_address_still_gets_its_valid_keys_that_the_app_already_knows()
    {
        using var strict = new ApiFactory();
        strict.Settings["ApiKeys:FailedAttemptsPerMinute"] = "3";
        var client = strict.CreateClient();
        var known = await strict.CreateKeyAsync(["items:read"]);
        var unseen = await strict.CreateKeyAsync(["items:read"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", known.Secret)).StatusCode);

        // One office behind NAT: somebody's script presents bad keys until the address is blocked.
        for (var i = 0; i < 4; i++)
        {
            await client.GetWithKeyAsync("/items", ApiKeyFormat.NewKey("ak"));
        }

        Assert.Equal((HttpStatusCode)429, (await client.GetWithKeyAsync("/items", ApiKeyFormat.NewKey("ak"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", known.Secret)).StatusCode);
        // A key the app would have to look up still waits for the block to end: made-up keys cost no query.
        Assert.Equal((HttpStatusCode)429, (await client.GetWithKeyAsync("/items", unseen.Secret)).StatusCode);
    }

    [Fact]
    public void The_failed_key_limiter_is_consulted_once_any_key_has_failed()
    {
        using var limiter = new ApiKeyFailureLimiter(Options.Create(new ApiKeyOptions { FailedAttemptsPerMinute = 1 }));
        Assert.False(limiter.AnyRecent);

        limiter.RecordFailure("198.51.100.7");

        Assert.True(limiter.AnyRecent);
        Assert.True(limiter.IsBlocked("198.51.100.7"));
        Assert.False(limiter.IsBlocked("198.51.100.8"));
    }

    [Fact]
    public async Task Each_key_has_its_own_rate_limit_with_ratelimit_fields()
    {
        var limited = await factory.CreateKeyAsync(["items:read"], permitsPerMinute: 2);
        var other = await factory.CreateKeyAsync(["items:read"], permitsPerMinute: 2);

        var first = await _client.GetWithKeyAsync("/items", limited.Secret);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"apikey\";q=2;w=60", Assert.Single(first.Headers.GetValues("RateLimit-Policy")));
        Assert.Equal("\"apikey\";r=1", Assert.Single(first.Headers.GetValues("RateLimit")));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/items", limited.Secret)).StatusCode);

        var rejected = await _client.GetWithKeyAsync("/items", limited.Secret);
        await ProblemAssert.IsProblemAsync(rejected, (HttpStatusCode)429);
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/items", other.Secret)).StatusCode);
    }

#if (jwtPlugin)
    [Fact]
    public async Task Optional_endpoints_refuse_a_bad_key_and_greet_a_good_one()
    {
        var created = await factory.CreateKeyAsync([]);
        var hello = await (await _client.GetWithKeyAsync("/public/hello", created.Secret)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(hello!["authenticated"]!.GetValue<bool>());
        Assert.Equal($"apikey:{created.Key.Id}", hello["subject"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync("/public/hello", ApiKeyFormat.NewKey("ak"))).StatusCode);
    }
#endif

    [Fact]
    public async Task Last_use_is_recorded_in_batches_not_per_request()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);
        await _client.GetWithKeyAsync("/items", created.Secret);

        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ApiKeyStore>();
        Assert.Null((await store.FindAsync(created.Key.Id, CancellationToken.None))!.LastUsedAt);

        await factory.Services.GetRequiredService<ApiKeyUsageRecorder>().FlushAsync(CancellationToken.None);
        Assert.NotNull((await store.FindAsync(created.Key.Id, CancellationToken.None))!.LastUsedAt);
    }

    [Fact]
    public async Task Keys_are_checksummed_prefixed_and_stored_only_as_hashes()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);
        Assert.Matches("^ak_[0-9A-Za-z]{49}$", created.Secret);
        Assert.True(ApiKeyFormat.IsWellFormed(created.Secret, "ak"));
        Assert.StartsWith(created.Key.Prefix, created.Secret, StringComparison.Ordinal);
        Assert.Equal(ApiKeyFormat.Hash(created.Secret), created.Key.SecretHash);

        await using var scope = factory.Services.CreateAsyncScope();
#if (!usePostgres)
        await scope.ServiceProvider.GetRequiredService<ApiKeysDbContext>().Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(FULL)");
#endif
        var raw = await factory.Database.RawContentAsync();
        Assert.Equal(-1, raw.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(created.Secret)));
    }
}
