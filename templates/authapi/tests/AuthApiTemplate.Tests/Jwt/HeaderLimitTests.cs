using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Jwt;

/// <summary>Limits that only the real server enforces, so this runs on Kestrel rather than the test server.</summary>
public sealed class HeaderLimitTests
{
    [Fact]
    public async Task A_40_kb_authorization_header_is_431_from_kestrel()
    {
        using var factory = new ApiFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();

        var request = new HttpRequestMessage(HttpMethod.Get, "/me/profile");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', 40 * 1024));
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }
}
