using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Usage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Usage;

public sealed class UsageTrackingTests
{
    [Fact]
    public async Task Counts_cover_every_request_while_sampling_thins_only_the_raw_rows()
    {
        using var factory = new UsageApiFactory();
        factory.Settings["Usage:SamplingRate"] = "0.1";
        var client = factory.CreateClient().Admin();

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items")).StatusCode);
        }

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/items/{Guid.NewGuid()}")).StatusCode);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/no-such-route/{i}?x={i}")).StatusCode);
        }

        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(250, stats.GetProperty("totalRequests").GetInt64());
        Assert.Equal(0.2, stats.GetProperty("errorRate").GetDouble(), 4);
        Assert.True(stats.GetProperty("p50Ms").GetDouble() > 0);

        var endpoints = await client.GetFromJsonAsync<JsonElement>("/usage/endpoints?top=10");
        Assert.Equal(3, endpoints.GetArrayLength());
        Assert.Equal(200, Row(endpoints, "GET", "/items").GetProperty("count").GetInt64());
        Assert.Equal(30, Row(endpoints, "GET", "/items/{id}").GetProperty("count").GetInt64());
        var unmatched = Row(endpoints, "GET", UsageRouteNames.Unmatched);
        Assert.Equal(20, unmatched.GetProperty("count").GetInt64());
        Assert.Equal(1.0, unmatched.GetProperty("errorRate").GetDouble());

        var errors = await client.GetFromJsonAsync<JsonElement>("/usage/errors");
        Assert.Contains(errors.EnumerateArray(), e => e.GetProperty("route").GetString() == "/items/{id}" && e.GetProperty("statusCode").GetInt32() == 404 && e.GetProperty("count").GetInt64() == 30);

        await factory.FlushAsync();
        var raw = await factory.WithDbAsync(db => db.Requests.CountAsync());
        Assert.InRange(raw, 1, 249);

        // Stored or still in memory, every request is counted exactly once.
        stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(250, stats.GetProperty("totalRequests").GetInt64());
        var stored = await factory.WithDbAsync(db => db.Totals.SumAsync(t => t.Requests));
        Assert.Equal(250, stored);
    }

    [Fact]
    public async Task At_sampling_rate_one_every_request_has_a_raw_row_and_the_analytics_routes_are_not_counted()
    {
        using var factory = new UsageApiFactory();
        factory.Settings["Usage:SamplingRate"] = "1";
        var client = factory.CreateClient().Admin();
        for (var i = 0; i < 25; i++)
        {
            await client.PostAsJsonAsync("/items", new { name = $"n{i}" });
        }

        await client.GetAsync("/usage/stats");
        await client.GetAsync("/usage/dashboard");
        await client.GetAsync("/health/ready");
        await factory.FlushAsync();

        var rows = await factory.WithDbAsync(db => db.Requests.AsNoTracking().ToListAsync());
        Assert.Equal(25, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/items", r.Route);
            Assert.Equal(201, r.StatusCode);
            Assert.Equal("admin-user", r.Consumer);
            Assert.True(r.RequestBytes > 0);
            Assert.True(r.ResponseBytes > 0);
            Assert.True(r.DurationMs > 0);
        });
    }

    [Fact]
    public async Task A_request_that_ends_in_the_exception_handler_is_counted_under_its_route()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();
        for (var i = 0; i < 3; i++)
        {
            var malformed = await client.PostAsync("/items", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/usage/stats?from=yesterday")).StatusCode);
        }

        var endpoints = await client.GetFromJsonAsync<JsonElement>("/usage/endpoints?top=10");
        var post = Row(endpoints, "POST", "/items");
        Assert.Equal(3, post.GetProperty("count").GetInt64());
        Assert.Equal(1.0, post.GetProperty("errorRate").GetDouble());
        // The analytics routes stay out of their own statistics, failing or not.
        Assert.DoesNotContain(endpoints.EnumerateArray(), e => e.GetProperty("route").GetString() != "/items");
    }

    [Fact]
    public async Task Consumers_are_subjects_and_a_flood_of_consumers_ends_in_an_overflow_row()
    {
        using var factory = new UsageApiFactory();
        factory.Settings["Usage:MaxSeriesPerMinute"] = "10";
        var anonymous = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await anonymous.GetAsync("/health/live");
            await anonymous.GetAsync("/openapi/v1.json");
        }

        for (var i = 0; i < 30; i++)
        {
            await factory.CreateClient().As($"user-{i}").GetAsync("/items");
        }

        var users = await factory.CreateClient().Admin().GetFromJsonAsync<JsonElement>("/usage/users?top=100");
        var consumers = users.EnumerateArray().ToDictionary(u => u.GetProperty("consumer").GetString()!, u => u.GetProperty("count").GetInt64());
        Assert.Equal(3, consumers["anonymous"]);
        Assert.True(consumers.ContainsKey(UsageWindow.OverflowConsumer));
        Assert.Equal(33, consumers.Values.Sum());
        Assert.True(consumers.Count <= 12, string.Join(", ", consumers.Keys));

        var stats = await factory.CreateClient().Admin().GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(33, stats.GetProperty("totalRequests").GetInt64());
    }

    [Fact]
    public void Past_twice_the_series_cap_a_request_keeps_its_status_class_so_errors_stay_counted()
    {
        var aggregator = new UsageAggregator(maxConsumerSeries: 10, maxPendingWindows: 10);
        // 40 routes, four times the cap (a scanner's flood): the last ones land in the catch-all rows.
        for (var i = 0; i < 40; i++)
        {
            aggregator.Record(new UsageSample(60_000 + i, "GET", $"/route-{i}", i % 4 == 0 ? 503 : 404, 1, "anonymous", 0, 0));
        }

        aggregator.SealBefore(120);
        var consumers = Assert.Single(aggregator.PendingSnapshot()).Consumers;
        Assert.Equal(40, consumers.Values.Sum(c => c.Requests));
        Assert.Equal(30, consumers.Where(c => c.Key.StatusCode is >= 400 and < 500).Sum(c => c.Value.Requests));
        Assert.Equal(10, consumers.Where(c => c.Key.StatusCode >= 500).Sum(c => c.Value.Requests));
        Assert.Contains(consumers.Keys, k => k.Route == UsageWindow.OverflowRoute && k.StatusCode == 400);
        Assert.Contains(consumers.Keys, k => k.Route == UsageWindow.OverflowRoute && k.StatusCode == 500);
        Assert.True(consumers.Count <= 22, $"{consumers.Count} series");
    }

    [Fact]
    public async Task A_response_that_fails_after_it_started_counts_as_a_server_error()
    {
        using var factory = new MidResponseFailureFactory();
        await Assert.ThrowsAnyAsync<Exception>(() => factory.CreateClient().GetAsync(MidResponseFailureFactory.Route));

        var errors = await factory.CreateClient().Admin().GetFromJsonAsync<JsonElement>("/usage/errors?top=100");
        var failure = Assert.Single(errors.EnumerateArray());
        Assert.Equal(500, failure.GetProperty("statusCode").GetInt32());
    }

    /// <summary>The app with one more route that sends its status and part of its body, then fails.</summary>
    private sealed class MidResponseFailureFactory : UsageApiFactory
    {
        public const string Route = "/test/fails-mid-response";

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.AddSingleton<IStartupFilter, FailingRouteFilter>();

        private sealed class FailingRouteFilter : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                next(app);
                app.Run(async context =>
                {
                    await context.Response.WriteAsync("partial");
                    await context.Response.Body.FlushAsync();
                    throw new InvalidOperationException("failed mid-response");
                });
            };
        }
    }

    [Fact]
    public async Task Realtime_shows_the_last_minute_from_memory()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();
        for (var i = 0; i < 12; i++)
        {
            await client.GetAsync("/items");
        }

        var realtime = await client.GetFromJsonAsync<JsonElement>("/usage/realtime");
        Assert.Equal(12, realtime.GetProperty("totalRequests").GetInt64());
        Assert.Equal(60, realtime.GetProperty("series").GetArrayLength());
        Assert.Equal(12, realtime.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));
        Assert.True(realtime.GetProperty("p95Ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Stats_over_time_come_in_interval_points()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();
        for (var i = 0; i < 5; i++)
        {
            await client.GetAsync("/items");
        }

        await factory.FlushAsync();
        await client.GetAsync("/items");

        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats?interval=300");
        Assert.Equal(6, stats.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));
        var plain = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.False(plain.TryGetProperty("series", out _));
        foreach (var name in new[] { "from", "to", "totalRequests", "errorRate", "p50Ms", "p95Ms", "p99Ms" })
        {
            Assert.True(plain.TryGetProperty(name, out _), name);
        }
    }

    [Theory]
    [InlineData("/usage/stats?from=yesterday")]
    [InlineData("/usage/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("/usage/stats?from=11/27/2026")]
    [InlineData("/usage/endpoints?from=2026-11-27T00:00:00")]
    [InlineData("/usage/errors?to=2026-11-27")]
    [InlineData("/usage/users?to=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z")]
    [InlineData("/usage/stats?from=2026-11-27T00:00:00%EF%BC%BA")]
    [InlineData("/usage/stats?from=2026-11-27T00:00:00Z%0A")]
    [InlineData("/usage/endpoints?top=0")]
    [InlineData("/usage/users?top=1000")]
    [InlineData("/usage/stats?interval=1")]
    public async Task A_bad_window_or_limit_is_a_400_problem(string url)
    {
        using var factory = new UsageApiFactory();
        var response = await factory.CreateClient().Admin().GetAsync(url);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_window_is_read_as_the_instants_its_offsets_give_and_a_time_without_one_is_refused()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();

        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats?from=2026-11-27T01:00:00%2B01:00&to=2026-11-27T02:00Z");
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), stats.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero), stats.GetProperty("to").GetDateTimeOffset());

        var refused = await client.GetAsync("/usage/stats?to=2026-11-27T00:00:00");
        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest);
        Assert.Contains("offset", problem.GetProperty("errors").GetProperty("to")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switched_off_it_measures_nothing()
    {
        using var factory = new UsageApiFactory();
        factory.Settings["Usage:Enabled"] = "false";
        var client = factory.CreateClient().Admin();
        await client.GetAsync("/items");
        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(0, stats.GetProperty("totalRequests").GetInt64());
    }

    [Fact]
    public async Task The_dashboard_is_one_self_contained_page_under_a_strict_content_security_policy()
    {
        using var factory = new UsageApiFactory();
        var response = await factory.CreateClient().GetAsync("/usage/dashboard");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("id=\"total-requests\"", html, StringComparison.Ordinal);
    }

    private static JsonElement Row(JsonElement endpoints, string method, string route) =>
        Assert.Single(endpoints.EnumerateArray(), e => e.GetProperty("method").GetString() == method && e.GetProperty("route").GetString() == route);
}
