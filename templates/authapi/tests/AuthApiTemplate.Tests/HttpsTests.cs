#if (jwtPlugin)
using System.Security.Cryptography;
#endif
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AuthApiTemplate.Tests;

/// <summary>Outside Development the app redirects plain HTTP to HTTPS and sends HSTS, unless a TLS-terminating proxy does both.</summary>
public sealed class HttpsTests
{
    private static readonly Uri PlainHttp = new("http://api.example.com");
    private static readonly Uri Https = new("https://api.example.com");

    [Fact]
    public async Task Outside_Development_plain_http_is_redirected_to_https()
    {
        using var factory = ProductionFactory();
        var response = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PlainHttp, AllowAutoRedirect = false })
            .GetAsync("/health/live?probe=1");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri("https://api.example.com/health/live?probe=1"), response.Headers.Location);
    }

    [Fact]
    public async Task Outside_Development_https_responses_carry_hsts()
    {
        using var factory = ProductionFactory();
        var response = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = Https, AllowAutoRedirect = false })
            .GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_tls_terminating_proxy_the_app_neither_redirects_nor_sends_hsts()
    {
        using var factory = ProductionFactory();
        factory.Settings["Https:TerminatedByProxy"] = "true";

        var plain = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PlainHttp, AllowAutoRedirect = false })
            .GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));

        var https = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = Https, AllowAutoRedirect = false })
            .GetAsync("/health/live");
        Assert.False(https.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task In_Development_plain_http_is_served_for_the_http_launch_profile()
    {
        using var factory = new ApiFactory();
        factory.Settings["https_port"] = "443";

        var response = await factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PlainHttp, AllowAutoRedirect = false })
            .GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Behind_a_known_proxy_the_scheme_the_client_used_decides()
    {
        using var factory = ProductionFactory();
        factory.Settings["ForwardedHeaders:KnownProxies:0"] = "10.0.0.5";

        var forwardedHttps = await factory.Server.SendAsync(request =>
        {
            request.Request.Path = "/health/live";
            request.Request.Host = new HostString(PlainHttp.Host);
            request.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.0.0.5");
            request.Request.Headers["X-Forwarded-For"] = "203.0.113.50";
            request.Request.Headers["X-Forwarded-Proto"] = "https";
        });
        Assert.Equal(200, forwardedHttps.Response.StatusCode);
        Assert.True(forwardedHttps.Response.Headers.ContainsKey("Strict-Transport-Security"));

        // The same claim from a client that is not the proxy: plain HTTP, so redirected.
        var spoofed = await factory.Server.SendAsync(request =>
        {
            request.Request.Path = "/health/live";
            request.Request.Host = new HostString(PlainHttp.Host);
            request.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.51");
            request.Request.Headers["X-Forwarded-Proto"] = "https";
        });
        Assert.Equal(307, spoofed.Response.StatusCode);
    }

    /// <summary>The app in Production, told its public HTTPS port (as ASPNETCORE_HTTPS_PORTS or https_port would in a deployment).</summary>
    private static ApiFactory ProductionFactory() => new()
    {
        Environment = "Production",
        Settings =
        {
#if (jwtPlugin)
            ["Jwt:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
#endif
            ["Database:MigrateOnStartup"] = "true",
            ["https_port"] = "443",
        },
    };
}
