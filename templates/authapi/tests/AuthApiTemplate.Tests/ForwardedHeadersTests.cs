using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace AuthApiTemplate.Tests;

/// <summary>
/// Behind a reverse proxy every connection comes from the proxy. The client's address (here seen through
/// the rate-limit partition it counts against) is taken from <c>X-Forwarded-For</c> only when a configured proxy sent it.
/// </summary>
public sealed class ForwardedHeadersTests : IClassFixture<ForwardedHeadersTests.BehindProxyFactory>
{
    private const string Proxy = "10.0.0.5";
    private const string ProxyInNetwork = "10.1.2.3";

    private readonly BehindProxyFactory _factory;

    public ForwardedHeadersTests(BehindProxyFactory factory) => _factory = factory;

    [Theory]
    [InlineData(Proxy, "203.0.113.40", "203.0.113.41")]
    [InlineData(ProxyInNetwork, "203.0.113.42", "203.0.113.43")]
    [InlineData(Proxy, "2001:db8:40::1", "2001:db8:41::1")]
    public async Task Through_a_known_proxy_each_forwarded_client_has_its_own_limit(string proxy, string client, string otherClient)
    {
        Assert.Equal([200, 200, 200, 429], await StatusesAsync(4, proxy, client));
        // Same proxy, another client: a window of its own, so the proxy's address was not the partition.
        Assert.Equal(200, (await SendAsync(proxy, otherClient)).Response.StatusCode);
    }

    [Fact]
    public async Task From_anywhere_else_the_forwarded_address_is_ignored()
    {
        // A client that names a new address in every request still counts as itself.
        var statuses = new List<int>();
        for (var i = 1; i <= 4; i++)
        {
            statuses.Add((await SendAsync("198.51.100.44", $"203.0.113.{100 + i}")).Response.StatusCode);
        }

        Assert.Equal([200, 200, 200, 429], statuses);
    }

    [Fact]
    public async Task Addresses_a_client_puts_in_front_of_its_own_are_ignored()
    {
        // The proxy appends the address it saw; what the client wrote before that (here, this host) is not believed.
        var context = await SendAsync(Proxy, "127.0.0.1, 203.0.113.45");
        Assert.Equal("203.0.113.45", context.Connection.RemoteIpAddress?.ToString());
    }

    [Fact]
    public async Task With_no_proxy_configured_forwarded_headers_are_ignored_even_from_this_host()
    {
        using var factory = new ApiFactory();
        var context = await factory.Server.SendAsync(request =>
        {
            request.Request.Method = HttpMethods.Get;
            request.Request.Path = "/health/live";
            request.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
            request.Request.Headers["X-Forwarded-For"] = "203.0.113.46";
            request.Request.Headers["X-Forwarded-Proto"] = "https";
        });

        Assert.Equal("127.0.0.1", context.Connection.RemoteIpAddress?.ToString());
        Assert.Equal("http", context.Request.Scheme);
    }

    [Fact]
    public async Task A_known_proxy_sets_the_scheme_the_client_used()
    {
        var context = await SendAsync(Proxy, "203.0.113.47", scheme: "https");
        Assert.Equal("https", context.Request.Scheme);
        Assert.True(context.Request.IsHttps);
    }

    private async Task<List<int>> StatusesAsync(int count, string proxy, string client)
    {
        var statuses = new List<int>();
        for (var i = 0; i < count; i++)
        {
            statuses.Add((await SendAsync(proxy, client)).Response.StatusCode);
        }

        return statuses;
    }

    /// <summary>
    /// A <c>GET /health/ready</c> (a rate-limited route) that arrives from <paramref name="from"/> and says it was
    /// forwarded for <paramref name="forwardedFor"/>.
    /// </summary>
    private Task<HttpContext> SendAsync(string from, string forwardedFor, string scheme = "http") =>
        _factory.Server.SendAsync(request =>
        {
            request.Request.Method = HttpMethods.Get;
            request.Request.Path = "/health/ready";
            request.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(from);
            request.Request.Headers["X-Forwarded-For"] = forwardedFor;
            request.Request.Headers["X-Forwarded-Proto"] = scheme;
        });

    public sealed class BehindProxyFactory : ApiFactory
    {
        public BehindProxyFactory()
        {
            Settings["ForwardedHeaders:KnownProxies:0"] = Proxy;
            Settings["ForwardedHeaders:KnownNetworks:0"] = "10.1.0.0/16";
            Settings["RateLimiting:Global:PermitLimit"] = "3";
            Settings["RateLimiting:Global:Window"] = "00:01:00";
        }
    }
}
