using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;
#if (jwtPlugin)
using AuthApiTemplate.Tests.Jwt;
#endif

namespace AuthApiTemplate.Tests;

public sealed class HealthTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Live_and_ready_are_healthy_with_a_reachable_database()
    {
        var client = factory.CreateClient();

        var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var database = report.RootElement.GetProperty("checks").GetProperty("database:AppDbContext");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Equal("no-store", ready.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Liveness_is_never_rate_limited_and_readiness_only_for_remote_clients()
    {
        using var limited = new ApiFactory();
        limited.Settings["RateLimiting:Global:PermitLimit"] = "1";
        limited.StartServer();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, await StatusFromAsync(limited, "203.0.113.41", "/health/live"));
            Assert.Equal(200, await StatusFromAsync(limited, "127.0.0.1", "/health/ready"));
            Assert.Equal(200, await StatusFromAsync(limited, "::1", "/health/ready"));
        }

        Assert.Equal(200, await StatusFromAsync(limited, "203.0.113.42", "/health/ready"));
        Assert.Equal(429, await StatusFromAsync(limited, "203.0.113.42", "/health/ready"));
    }

    private static async Task<int> StatusFromAsync(ApiFactory app, string address, string path)
    {
        var context = await app.Server.SendAsync(request =>
        {
            request.Request.Method = "GET";
            request.Request.Path = path;
            request.Connection.RemoteIpAddress = IPAddress.Parse(address);
        });
        return context.Response.StatusCode;
    }
}

/// <summary>The database cannot be opened: readiness fails, liveness does not, data routes fail closed.</summary>
public sealed class DatabaseDownTests : IClassFixture<DatabaseDownTests.UnreachableDatabaseFactory>
{
#if (anyAuth)
    private readonly UnreachableDatabaseFactory _factory;
#endif
    private readonly HttpClient _client;

    public DatabaseDownTests(UnreachableDatabaseFactory factory)
    {
#if (anyAuth)
        _factory = factory;
#endif
        _client = factory.CreateClient();
    }

    [Fact]
    public async Task Ready_is_503_without_internal_details_while_live_stays_200()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);

        var ready = await _client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Contains("Unhealthy", body, StringComparison.Ordinal);
        Assert.DoesNotContain(UnreachableDatabaseFactory.MissingFolder, body, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite Error", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Data_routes_answer_503_with_retry_after_not_500()
    {
#if (jwtPlugin)
        // A correctly signed token still needs its user checked in the database: that fails closed.
        var token = JwtTestKit.SignHs256(JwtTestKit.Header(), _factory.ValidClaims(Guid.NewGuid()), _factory.SigningKey());
        _client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
#elif (apikeys)
        // A well-formed key still has to be looked up in the database: that fails closed.
        _client.DefaultRequestHeaders.Add(Auth.ApiKeys.ApiKeyAuthenticationHandler.HeaderName, Auth.ApiKeys.ApiKeyFormat.NewKey("ak"));
#elif (googleCookie)
        // A genuine session cookie still needs its user checked in the database: that fails closed.
        _client.DefaultRequestHeaders.Add("Cookie", Google.Session.SessionCookies.For(_factory, Guid.NewGuid()));
#endif
        foreach (var response in new[]
        {
            await _client.GetAsync("/items"),
            await _client.PostAsJsonAsync("/items", new { name = "x" }),
#if (apikeys)
            await _client.GetAsync("/api-keys"),
#endif
#if (jwtPlugin)
            await _client.GetAsync("/me/profile"),
            await _client.PostAsJsonAsync("/auth/refresh", new { refreshToken = new string('r', 43) }),
#endif
        })
        {
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.DoesNotContain("SQLite", problem.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    public sealed class UnreachableDatabaseFactory : ApiFactory
    {
        public const string MissingFolder = "/proc/authapi-no-such-folder";

        public UnreachableDatabaseFactory()
        {
#if (usePostgres)
            // Nothing listens on port 1: every connection is refused at once.
            Settings["ConnectionStrings:Default"] = $"Host=127.0.0.1;Port=1;Database={MissingFolder};Username=authapi;Password=unused;Timeout=2";
#else
            // /proc refuses new folders and files, so the database can never be opened or created.
            Settings["ConnectionStrings:Default"] = $"Data Source={MissingFolder}/app.db;Mode=ReadWrite";
#endif
            Settings["Database:MigrateOnStartup"] = "false";
        }
    }
}
