using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("RateLimiting:Global:PermitLimit", "0", "PermitLimit")]
    [InlineData("RateLimiting:Global:Window", "00:00:00", "Window")]
    [InlineData("Database:BusyTimeout", "00:00:00", "BusyTimeout")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.0.0", "ForwardedHeaders:KnownProxies: '10.0.0' is not an IP address written in full.")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0", "ForwardedHeaders:KnownNetworks: '10.0.0.0'")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.1/8", "ForwardedHeaders:KnownNetworks: '10.0.0.1/8'")]
    public void Invalid_settings_stop_the_app_at_start_and_name_the_setting(string key, string value, string named)
    {
        using var factory = new ApiFactory();
        factory.Settings[key] = value;

        var exception = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains(named, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_connection_string_stops_the_app_with_a_clear_message()
    {
        using var factory = new ApiFactory();
        factory.Settings["ConnectionStrings:Default"] = "";

        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("ConnectionStrings:Default", exception.ToString(), StringComparison.Ordinal);
    }
}
