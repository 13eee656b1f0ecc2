using AuthApiTemplate.Tests.Infrastructure;
#if (useRedis)
using Microsoft.AspNetCore.Hosting;
#endif
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Jwt;

public sealed class RevocationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Logout_revokes_the_presented_token_at_once_through_its_session()
    {
        var (_, tokens) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostWithTokenAsync("/auth/logout", tokens.AccessToken)).StatusCode);

        var after = await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken);
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", after.WwwAuthenticate(), StringComparison.Ordinal);

        var session = Guid.Parse(JwtTestKit.DecodePart(tokens.AccessToken, 1).GetProperty("sid").GetString()!);
        var revocations = factory.Services.GetRequiredService<Auth.Jwt.TokenRevocationList>();
        Assert.True(await revocations.IsRevokedAsync(session, CancellationToken.None));
    }

    [Fact]
    public async Task A_logout_outlives_a_restart_that_empties_the_cache()
    {
        var (_, ended) = await factory.SignInAsync();
        var (_, active) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostWithTokenAsync("/auth/logout", ended.AccessToken)).StatusCode);

        // The same app started again on the same database, with nothing in its cache.
        using var restarted = factory.WithWebHostBuilder(builder =>
        {
#if (useRedis)
            builder.UseSetting("Redis:KeyPrefix", TestServices.NewRedisPrefix());
#endif
        });
        using var client = restarted.CreateClient();

        var refused = await client.GetWithTokenAsync("/me/profile", ended.AccessToken);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", refused.WwwAuthenticate(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync("/me/profile", active.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Logout_everywhere_revokes_every_older_token_of_the_user_only()
    {
        var (user, phone) = await factory.SignInAsync();
        var laptop = await SignInAgainAsync(user);
        var (_, someoneElse) = await factory.SignInAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostWithTokenAsync("/auth/logout-all", phone.AccessToken)).StatusCode);

        await ProblemAssert.IsProblemAsync(await _client.GetWithTokenAsync("/me/profile", phone.AccessToken), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await _client.GetWithTokenAsync("/me/profile", laptop.AccessToken), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await _client.PostAsJsonAsync("/auth/refresh", new { refreshToken = laptop.RefreshToken }), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", someoneElse.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_login_in_the_same_second_as_a_logout_everywhere_works_and_the_ended_session_stays_ended()
    {
        // Its own app: the clock is stopped at instants inside one second.
        using var app = new ApiFactory();
        var client = app.CreateClient();
        var second = DateTimeOffset.FromUnixTimeSeconds(app.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);

        app.Clock.SetUtcNow(second.AddMilliseconds(100));
        var (user, before) = await app.SignInAsync();
        app.Clock.SetUtcNow(second.AddMilliseconds(400));
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostWithTokenAsync("/auth/logout-all", before.AccessToken)).StatusCode);

        app.Clock.SetUtcNow(second.AddMilliseconds(700));
        Auth.Jwt.TokenPair after;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var signedInAgain = await scope.ServiceProvider.GetRequiredService<Users.UserStore>().FindByIdAsync(user.Id, CancellationToken.None);
            after = await scope.ServiceProvider.GetRequiredService<Auth.Jwt.TokenService>().IssueAsync(signedInAgain!, CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetWithTokenAsync("/me/profile", after.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = after.RefreshToken })).StatusCode);
        await ProblemAssert.IsProblemAsync(await client.GetWithTokenAsync("/me/profile", before.AccessToken), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = before.RefreshToken }), HttpStatusCode.Unauthorized);

        // The session that started in the same second before the logout ends by the cut-off alone too (as
        // after a restart of an app whose revocation list is in memory and lost).
        var state = await app.Services.GetRequiredService<Users.UserSecurityStates>().GetAsync(user.Id, CancellationToken.None);
        Assert.False(state.Allows(DateTimeOffset.FromUnixTimeSeconds(second.ToUnixTimeSeconds())));
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData(-5000, 0)]
    [InlineData(400, 1000)]     // a cut-off with a fraction (written before cut-offs were whole seconds)
    [InlineData(1000, 1000)]    // a logout everywhere earlier in this second
    [InlineData(2000, 2000)]    // two of them
    [InlineData(120_000, 0)]    // further ahead than any logout writes: not trusted
    public void A_session_starts_on_a_whole_second_at_or_after_the_cut_off(int? cutOffMs, int expectedMs)
    {
        var second = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        DateTimeOffset? cutOff = cutOffMs is { } ms ? second.AddMilliseconds(ms) : null;

        Assert.Equal(second.AddMilliseconds(expectedMs), Users.UserSecurityState.SessionStartFor(second.AddMilliseconds(700), cutOff));
    }

    [Fact]
    public async Task Logout_without_a_token_is_401()
    {
        var response = await _client.PostAsync("/auth/logout", null);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    private async Task<Auth.Jwt.TokenPair> SignInAgainAsync(Users.User user)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Auth.Jwt.TokenService>().IssueAsync(user, CancellationToken.None);
    }
}
