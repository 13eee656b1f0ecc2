using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests.Jwt;

public sealed class JwtStartupTests
{
    [Theory]
    [InlineData("", "missing")]
    [InlineData("c2hvcnQta2V5", "bytes")]
    [InlineData("not base64 at all!", "base64")]
    [InlineData("your-256-bit-secret-your-256-bit-secret-your-256-bit-secret", "placeholder")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "placeholder")]
    [InlineData("Y2hhbmdlbWVjaGFuZ2VtZWNoYW5nZW1lY2hhbmdlbWU=", "placeholder")]
    public void A_bad_signing_key_stops_the_app_and_names_the_setting(string key, string problem)
    {
        using var factory = new ApiFactory();
        factory.Settings["Jwt:SigningKey"] = key;

        var exception = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Jwt:SigningKey", exception.Message, StringComparison.Ordinal);
        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clock_skew_over_one_minute_is_refused()
    {
        using var factory = new ApiFactory();
        factory.Settings["Jwt:ClockSkew"] = "00:05:00";
        Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
    }

    [Theory]
    [InlineData("00:05:00")]
    [InlineData("-00:00:01")]
    public void A_refresh_reuse_leeway_outside_zero_to_one_minute_is_refused(string leeway)
    {
        using var factory = new ApiFactory();
        factory.Settings["Jwt:RefreshReuseLeeway"] = leeway;
        var exception = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("RefreshReuseLeeway", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_refuses_to_start_in_production_without_a_signing_key()
    {
        using var factory = new ApiFactory();
        factory.Environment = "Production";
        factory.Settings["Jwt:SigningKey"] = null;

        var exception = Assert.Throws<OptionsValidationException>(() => StartRefused(factory));
        Assert.Contains("Jwt:SigningKey is missing", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts an app that must refuse to start. On a loaded machine WebApplicationFactory's deferred host can
    /// lose a race with its own clean-up after a failed start and report the disposed service provider instead
    /// of the start's failure; that is the test host's doing, so the start is tried once more.
    /// </summary>
    private static void StartRefused(ApiFactory factory)
    {
        try
        {
            factory.CreateClient();
        }
        catch (ObjectDisposedException)
        {
            using var again = new ApiFactory { Environment = factory.Environment };
            foreach (var (key, value) in factory.Settings)
            {
                again.Settings[key] = value;
            }

            again.CreateClient();
        }
    }

    [Fact]
    public async Task Readiness_includes_the_jwt_check_and_openapi_describes_the_bearer_scheme()
    {
        using var factory = new ApiFactory();
        var client = factory.CreateClient();

        using var ready = JsonDocument.Parse(await client.GetStringAsync("/health/ready"));
        Assert.Equal("Healthy", ready.RootElement.GetProperty("checks").GetProperty("jwt").GetProperty("status").GetString());

        using var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var scheme = openApi.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var paths = openApi.RootElement.GetProperty("paths");
        Assert.Contains(paths.GetProperty("/me/profile").GetProperty("get").GetProperty("security").EnumerateArray(), r => r.TryGetProperty("Bearer", out _));
        // Refreshing needs no access token: its only requirement is the empty one, "anonymous".
        var refresh = Assert.Single(paths.GetProperty("/auth/refresh").GetProperty("post").GetProperty("security").EnumerateArray());
        Assert.Empty(refresh.EnumerateObject());
    }
}
