using AuthApiTemplate.Infrastructure.RateLimiting;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace AuthApiTemplate.Tests;

public sealed class RateLimitingTests : IClassFixture<RateLimitingTests.TightLimitFactory>
{
    private readonly TightLimitFactory _factory;

    public RateLimitingTests(TightLimitFactory factory) => _factory = factory;

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void Ipv6_clients_are_limited_by_their_64_bit_prefix(string address, string partition)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);

        Assert.Equal(partition, ClientAddress.PartitionOf(context));
    }

    [Fact]
    public async Task Addresses_in_one_ipv6_64_share_a_limit_and_the_next_64_has_its_own()
    {
        for (var i = 1; i <= 3; i++)
        {
            Assert.NotEqual(429, await StatusFromAsync($"2001:db8:7:1::{i}"));
        }

        Assert.Equal(429, await StatusFromAsync("2001:db8:7:1:ffff:ffff:ffff:fffe"));
        Assert.NotEqual(429, await StatusFromAsync("2001:db8:7:2::1"));
    }

    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_and_ratelimit_fields()
    {
        // Anonymous, so the global policy applies by client address (signed-in callers get their own partition).
        var client = _factory.CreateClient();

        var first = await client.GetAsync("/items");
        Assert.NotEqual((HttpStatusCode)429, first.StatusCode);
        Assert.Equal("\"global\";q=3;w=60", Header(first, "RateLimit-Policy"));
        Assert.Equal("\"global\";r=2", Header(first, "RateLimit"));

        Assert.NotEqual((HttpStatusCode)429, (await client.GetAsync("/items")).StatusCode);
        Assert.NotEqual((HttpStatusCode)429, (await client.GetAsync("/items")).StatusCode);

        var rejected = await client.GetAsync("/items");
        var problem = await ProblemAssert.IsProblemAsync(rejected, (HttpStatusCode)429);
        var retryAfter = rejected.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal("\"global\";q=3;w=60", Header(rejected, "RateLimit-Policy"));
        Assert.StartsWith("\"global\";r=0;t=", Header(rejected, "RateLimit"), StringComparison.Ordinal);
        Assert.Contains("Retry in", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/openapi/v1.json", "203.0.113.21")]
    [InlineData("/health/ready", "203.0.113.22")]
    [InlineData("/health/ready", "2001:db8:9::1")]
    public async Task The_document_and_readiness_count_against_a_remote_clients_limit(string path, string address)
    {
        HttpContext? rejected = null;
        for (var i = 0; i < 10 && rejected is null; i++)
        {
            var context = await SendFromAsync(address, path);
            if (context.Response.StatusCode == 429)
            {
                rejected = context;
            }
            else
            {
                Assert.Equal(200, context.Response.StatusCode);
            }
        }

        Assert.NotNull(rejected);
        Assert.True(int.TryParse(rejected.Response.Headers.RetryAfter, out var seconds), "429 without Retry-After");
        Assert.InRange(seconds, 1, 60);
    }

    [Theory]
    [InlineData("127.0.0.1", "203.0.113.31")]
    [InlineData("127.10.20.30", "203.0.113.32")]
    [InlineData("::1", "2001:db8:9:1::1")]
    [InlineData("::ffff:127.0.0.1", "::ffff:203.0.113.33")]
    public async Task Readiness_probes_from_this_host_are_not_counted_while_a_remote_client_is(string loopback, string remote)
    {
        for (var i = 0; i < 10; i++)
        {
            var probe = await SendFromAsync(loopback, "/health/ready");
            Assert.Equal(200, probe.Response.StatusCode);
            Assert.False(probe.Response.Headers.ContainsKey("RateLimit"), "an uncounted probe reports no quota");
        }

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await SendFromAsync(remote, "/health/ready")).Response.StatusCode);
        }

        Assert.Equal([200, 200, 200, 429], statuses);
    }

    /// <summary>An anonymous <c>GET /items</c> as the server sees it arrive from <paramref name="address"/>.</summary>
    private async Task<int> StatusFromAsync(string address) => (await SendFromAsync(address, "/items")).Response.StatusCode;

    /// <summary>An anonymous <c>GET</c> of <paramref name="path"/> as the server sees it arrive from <paramref name="address"/>.</summary>
    private Task<HttpContext> SendFromAsync(string address, string path) =>
        _factory.Server.SendAsync(request =>
        {
            request.Request.Method = HttpMethods.Get;
            request.Request.Path = path;
            request.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);
        });

    private static string Header(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.GetValues(name));

    public sealed class TightLimitFactory : ApiFactory
    {
        public TightLimitFactory()
        {
            Settings["RateLimiting:Global:PermitLimit"] = "3";
            Settings["RateLimiting:Global:Window"] = "00:01:00";
        }
    }
}
