using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.ScaleOut;

/// <summary>
/// Two instances of this app as real processes on one PostgreSQL database and one Redis prefix, as
/// behind a load balancer: what one instance revokes, counts or spends holds on the other.
/// </summary>
public class TwoInstances : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();

    public string RedisPrefix { get; } = TestServices.NewRedisPrefix();

    public AppInstance A { get; private set; } = null!;

    public AppInstance B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var migrated = await AppProcess.RunAsync(Database.ConnectionString, "Production", "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.Errors);
        var settings = await StartDependenciesAsync();
        A = await AppInstance.StartAsync(Database.ConnectionString, RedisPrefix, settings);
        B = await AppInstance.StartAsync(Database.ConnectionString, RedisPrefix, settings);
    }

    /// <summary>Starts what both instances talk to besides PostgreSQL and Redis; returns the settings that point them at it.</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>?> StartDependenciesAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    /// <summary>Stops what <see cref="StartDependenciesAsync"/> started, once both instances are gone.</summary>
    protected virtual Task StopDependenciesAsync() => Task.CompletedTask;

    /// <summary>Runs a command of the app (users, tokens, apikeys) on the shared database; returns its last line.</summary>
    public async Task<string> CommandAsync(params string[] args)
    {
        var result = await AppProcess.RunAsync(Database.ConnectionString, "Development", args);
        Assert.True(result.ExitCode == 0, result.Errors);
        return AppProcess.LastLine(result.Output);
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await StopDependenciesAsync();
        Database.Dispose();
    }
}

public sealed class TwoInstanceTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(1);

    private HttpClient A => instances.A.Client;

    private HttpClient B => instances.B.Client;
#if (apikeys)

    [Fact]
    public async Task A_key_revoked_on_A_is_refused_on_B_within_a_second()
    {
        var admin = await instances.CommandAsync("apikeys", "create", "--name", "admin", "--scopes", "*");
        var key = await instances.CommandAsync("apikeys", "create", "--name", "revoked-on-a", "--scopes", "items:read");
        // B validates the key once, so it now answers from its own cache without the database.
        Assert.Equal(HttpStatusCode.OK, (await Send(B, HttpMethod.Get, "/items", key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(B, HttpMethod.Get, "/items", key)).StatusCode);
        var id = await KeyIdAsync(admin, "revoked-on-a");

        Assert.Equal(HttpStatusCode.NoContent, (await Send(A, HttpMethod.Delete, $"/api-keys/{id}", admin)).StatusCode);
        var revokedAt = Stopwatch.StartNew();
        // What must hold is when B stops accepting: a request sent a second or more after the revocation is
        // refused. The time a request then spends in flight on a busy machine is not part of it.
        var lastAcceptedSentAt = TimeSpan.Zero;
        HttpStatusCode status;
        do
        {
            var sentAt = revokedAt.Elapsed;
            status = (await Send(B, HttpMethod.Get, "/items", key)).StatusCode;
            if (status == HttpStatusCode.OK)
            {
                lastAcceptedSentAt = sentAt;
            }
        }
        while (status == HttpStatusCode.OK && revokedAt.Elapsed < PropagationLimit + TimeSpan.FromSeconds(2));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(lastAcceptedSentAt < PropagationLimit, $"B accepted the revoked key in a request sent {lastAcceptedSentAt.TotalMilliseconds:F0} ms after the revocation.");
    }

    [Fact]
    public async Task A_keys_own_limit_holds_across_both_instances()
    {
        var key = await instances.CommandAsync("apikeys", "create", "--name", "limited", "--scopes", "items:read", "--permits-per-minute", "4");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await Send(i % 2 == 0 ? A : B, HttpMethod.Get, "/items", key)).StatusCode);
        }

        // Counted per instance, each would let 4 through: 8 in all.
        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(4, statuses.Count(s => s == (HttpStatusCode)429));
        Assert.All(statuses.Take(4), s => Assert.Equal(HttpStatusCode.OK, s));
        var rejected = await Send(B, HttpMethod.Get, "/items", key);
        Assert.Equal((HttpStatusCode)429, rejected.StatusCode);
        Assert.NotNull(rejected.Headers.RetryAfter);
    }
#endif
#if (jwtPlugin)

    [Fact]
    public async Task A_token_logged_out_on_A_is_refused_on_B()
    {
        var tokens = await SignInAsync("logout");
        Assert.Equal(HttpStatusCode.OK, (await Bearer(B, HttpMethod.Get, "/me/profile", tokens.Access)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Bearer(A, HttpMethod.Post, "/auth/logout", tokens.Access)).StatusCode);

        var after = await Bearer(B, HttpMethod.Get, "/me/profile", tokens.Access);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await A.PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.Refresh })).StatusCode);
    }

    [Fact]
    public async Task Ten_concurrent_refreshes_of_one_token_over_both_instances_give_exactly_one_pair_that_stays_valid()
    {
        var tokens = await SignInAsync("refresh");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            (i % 2 == 0 ? A : B).PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.Refresh }))));

        var won = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var pair = (await won.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(B, HttpMethod.Get, "/me/profile", pair["accessToken"]!.GetValue<string>())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await A.PostAsJsonAsync("/auth/refresh", new { refreshToken = pair["refreshToken"]!.GetValue<string>() })).StatusCode);
    }

    private async Task<(string Access, string Refresh)> SignInAsync(string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        await instances.CommandAsync("users", "create", email);
        using var pair = JsonDocument.Parse(await instances.CommandAsync("tokens", "create", email));
        return (pair.RootElement.GetProperty("accessToken").GetString()!, pair.RootElement.GetProperty("refreshToken").GetString()!);
    }

    private static Task<HttpResponseMessage> Bearer(HttpClient client, HttpMethod method, string url, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
#endif
#if (apikeys)

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, string key)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-API-Key", key);
        return client.SendAsync(request);
    }

    private async Task<string> KeyIdAsync(string admin, string name)
    {
        using var keys = JsonDocument.Parse(await (await Send(A, HttpMethod.Get, "/api-keys", admin)).Content.ReadAsStringAsync());
        return keys.RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
    }
#endif
}

/// <summary>
/// The Data Protection key ring is shared: what one instance protects (cookies, OAuth state and
/// correlation) another instance reads. Two hosts of this app with one Redis prefix are two instances.
/// </summary>
public sealed class DataProtectionSharingTests
{
    [Fact]
    public void A_payload_protected_by_one_instance_is_read_by_another_and_by_no_other_deployment()
    {
        using var a = new ApiFactory();
        using var b = new ApiFactory { RedisPrefix = a.RedisPrefix };
        using var elsewhere = new ApiFactory();

        var protectedByA = Protector(a).Protect("a cookie's payload");

        Assert.Equal("a cookie's payload", Protector(b).Unprotect(protectedByA));
        Assert.ThrowsAny<CryptographicException>(() => Protector(elsewhere).Unprotect(protectedByA));
    }

    private static IDataProtector Protector(ApiFactory factory) =>
        factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("AuthApiTemplate.Tests.ScaleOut");
}

/// <summary>Redis is unreachable: what needs the shared denylist fails closed, the rest keeps serving.</summary>
public sealed class RedisDownTests : IClassFixture<RedisDownTests.UnreachableRedisFactory>
{
    private readonly UnreachableRedisFactory _factory;

    public RedisDownTests(UnreachableRedisFactory factory) => _factory = factory;

    [Fact]
    public async Task Readiness_reports_redis_down_while_liveness_stays_200()
    {
        var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", report.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }
#if (jwtPlugin)

    [Fact]
    public async Task The_token_denylist_fails_closed_with_503_and_retry_after()
    {
        var (_, tokens) = await Jwt.JwtTestKit.SignInAsync(_factory);
        var response = await Jwt.JwtTestKit.GetWithTokenAsync(_factory.CreateClient(), "/me/profile", tokens.AccessToken);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }
#endif
#if (apikeys && usage)

    [Fact]
    public async Task Api_keys_and_the_usage_tracker_keep_serving()
    {
        var key = await ApiKeys.ApiKeyTestKit.CreateKeyAsync(_factory, ["*"]);
        var client = _factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ApiKeys.ApiKeyTestKit.GetWithKeyAsync(client, "/items", key.Secret)).StatusCode);
        }

        var stats = await ApiKeys.ApiKeyTestKit.GetWithKeyAsync(client, "/usage/realtime", key.Secret);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
    }
#endif

    public sealed class UnreachableRedisFactory : ApiFactory
    {
        // Nothing listens on port 1: every Redis command fails at once.
        public UnreachableRedisFactory() => Settings["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=500";
    }
}
