using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Jwt;

public sealed class FreshLoginTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task A_fresh_login_may_perform_the_sensitive_operation()
    {
        var (_, tokens) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.PostWithTokenAsync("/me/sensitive", tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_stale_login_gets_the_rfc_9470_step_up_challenge()
    {
        var (user, _) = await factory.SignInAsync();
        var claims = factory.ValidClaims(user.Id, authTime: DateTimeOffset.UtcNow.AddHours(-1));
        var stale = JwtTestKit.SignHs256(JwtTestKit.Header(), claims, factory.SigningKey());

        await AssertStepUpAsync(await _client.PostWithTokenAsync("/me/sensitive", stale));
        // The same token is fine where a fresh login is not needed.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", stale)).StatusCode);
    }

    [Fact]
    public async Task Refreshing_does_not_make_a_stale_login_fresh()
    {
        var (user, _) = await factory.SignInAsync();
        var refreshToken = await RefreshTokenTests.InsertRefreshTokenAsync(factory, user.Id, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddDays(1));
        var refreshed = (await (await _client.PostAsJsonAsync("/auth/refresh", new { refreshToken })).Content.ReadFromJsonAsync<TokenPair>())!;

        await AssertStepUpAsync(await _client.PostWithTokenAsync("/me/sensitive", refreshed.AccessToken));
    }

    private async Task AssertStepUpAsync(HttpResponseMessage response)
    {
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        var challenge = response.WwwAuthenticate();
        Assert.Contains("error=\"insufficient_user_authentication\"", challenge, StringComparison.Ordinal);
        Assert.Contains($"max_age={(long)factory.Options().FreshLoginMaxAge.TotalSeconds}", challenge, StringComparison.Ordinal);
    }
}
