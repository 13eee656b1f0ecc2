using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Jwt;

public sealed class RefreshTokenTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Refresh_tokens_are_opaque_256_bit_values_stored_only_as_sha256_hashes()
    {
        var (user, tokens) = await factory.SignInAsync();
        Assert.Equal(43, tokens.RefreshToken.Length);
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(tokens.RefreshToken).Length);

        await using var scope = factory.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<JwtDbContext>().RefreshTokens.SingleAsync(t => t.UserId == user.Id);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(tokens.RefreshToken)), stored.TokenHash);

        var raw = await factory.Database.RawContentAsync();
        Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.ASCII.GetBytes(tokens.RefreshToken)));
    }

    [Fact]
    public async Task Every_refresh_rotates_the_pair_and_spends_the_used_refresh_token()
    {
        var (_, first) = await factory.SignInAsync();

        var second = await RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var pair = (await second.Content.ReadFromJsonAsync<TokenPair>())!;
        Assert.NotEqual(first.RefreshToken, pair.RefreshToken);
        Assert.NotEqual(first.AccessToken, pair.AccessToken);
        Assert.Equal("Bearer", pair.TokenType);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", pair.AccessToken)).StatusCode);

        var third = await RefreshAsync(pair.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task A_spent_refresh_token_presented_again_within_the_leeway_is_a_409_and_the_session_lives_on()
    {
        var (_, first) = await factory.SignInAsync();
        var rotated = (await (await RefreshAsync(first.RefreshToken)).Content.ReadFromJsonAsync<TokenPair>())!;

        // A second tab, or a client retrying a refresh whose answer it lost.
        var again = await RefreshAsync(first.RefreshToken);
        var problem = await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict);
        Assert.EndsWith("refreshed-concurrently", problem.GetProperty("type").GetString(), StringComparison.Ordinal);

        // The winner's brand-new pair works.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", rotated.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(rotated.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Replaying_a_spent_refresh_token_after_the_leeway_revokes_the_whole_session()
    {
        using var timed = new ApiFactory();
        var client = timed.CreateClient();
        var (_, first) = await timed.SignInAsync();
        var rotated = (await (await client.PostAsJsonAsync("/auth/refresh", new { first.RefreshToken })).Content.ReadFromJsonAsync<TokenPair>())!;

        timed.Clock.Advance(TimeSpan.FromSeconds(10));
        await AssertRefreshRefusedAsync(await client.PostAsJsonAsync("/auth/refresh", new { first.RefreshToken }));

        // The thief's replay also kills what the legitimate client holds now.
        await AssertRefreshRefusedAsync(await client.PostAsJsonAsync("/auth/refresh", new { rotated.RefreshToken }));
        await ProblemAssert.IsProblemAsync(await client.GetWithTokenAsync("/me/profile", rotated.AccessToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task With_no_leeway_every_reuse_of_a_spent_refresh_token_ends_the_session()
    {
        using var strict = new ApiFactory();
        strict.Settings["Jwt:RefreshReuseLeeway"] = "00:00:00";
        var client = strict.CreateClient();
        var (_, first) = await strict.SignInAsync();
        var rotated = (await (await client.PostAsJsonAsync("/auth/refresh", new { first.RefreshToken })).Content.ReadFromJsonAsync<TokenPair>())!;

        await AssertRefreshRefusedAsync(await client.PostAsJsonAsync("/auth/refresh", new { first.RefreshToken }));
        await AssertRefreshRefusedAsync(await client.PostAsJsonAsync("/auth/refresh", new { rotated.RefreshToken }));
    }

    [Fact]
    public async Task Of_ten_concurrent_refreshes_of_one_token_one_wins_the_others_get_409_and_the_winner_stays_signed_in()
    {
        var (_, tokens) = await factory.SignInAsync();
        using var start = new SemaphoreSlim(0);
        // Each on its own thread: SQLite's async calls complete inline, so one thread would run them in turn.
        var attempts = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await RefreshAsync(tokens.RefreshToken);
        })).ToList();
        start.Release(10);

        var results = await Task.WhenAll(attempts);
        var won = Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(9, results.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var pair = (await won.Content.ReadFromJsonAsync<TokenPair>())!;
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", pair.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(pair.RefreshToken)).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Unknown_refresh_tokens_are_refused(string token) =>
        await AssertRefreshRefusedAsync(await RefreshAsync(token));

    [Fact]
    public async Task A_missing_or_malformed_body_is_a_problem_not_a_500()
    {
        await AssertRefreshRefusedAsync(await _client.PostAsJsonAsync("/auth/refresh", new { }));
        var malformed = await _client.PostAsync("/auth/refresh", new StringContent("{\"refreshToken\":5}", Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Refresh_after_logout_is_refused()
    {
        var (_, tokens) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostWithTokenAsync("/auth/logout", tokens.AccessToken)).StatusCode);
        await AssertRefreshRefusedAsync(await RefreshAsync(tokens.RefreshToken));
    }

    [Fact]
    public async Task A_disabled_user_can_neither_refresh_nor_use_their_access_token()
    {
        var (user, tokens) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken)).StatusCode);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserStore>().SetDisabledAsync(user.Id, disabled: true, CancellationToken.None);
        }

        await ProblemAssert.IsProblemAsync(await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken), HttpStatusCode.Unauthorized);
        await AssertRefreshRefusedAsync(await RefreshAsync(tokens.RefreshToken));
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_maximum_age_however_often_it_was_refreshed()
    {
        var (user, _) = await factory.SignInAsync();
        var value = await InsertRefreshTokenAsync(user.Id, authTime: DateTimeOffset.UtcNow.AddDays(-31), sessionExpiresAt: DateTimeOffset.UtcNow.AddSeconds(-1));
        await AssertRefreshRefusedAsync(await RefreshAsync(value));
    }

    [Fact]
    public async Task An_expired_refresh_token_is_refused()
    {
        var (user, _) = await factory.SignInAsync();
        var value = await InsertRefreshTokenAsync(user.Id, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddDays(1), expiresAt: DateTimeOffset.UtcNow.AddSeconds(-1));
        await AssertRefreshRefusedAsync(await RefreshAsync(value));
    }

    [Fact]
    public async Task Refreshing_keeps_the_original_login_time()
    {
        var (user, _) = await factory.SignInAsync();
        var loggedInAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds());
        var value = await InsertRefreshTokenAsync(user.Id, loggedInAt, DateTimeOffset.UtcNow.AddDays(1));

        var pair = (await (await RefreshAsync(value)).Content.ReadFromJsonAsync<TokenPair>())!;
        Assert.Equal(loggedInAt.ToUnixTimeSeconds(), JwtTestKit.DecodePart(pair.AccessToken, 1).GetProperty("auth_time").GetInt64());
    }

    [Fact]
    public async Task A_token_stored_after_its_session_ended_never_refreshes()
    {
        // What a refresh leaves behind when a logout lands between its spending a token and storing the next.
        var (user, _) = await factory.SignInAsync();
        var session = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await InsertRefreshTokenAsync(user.Id, now.AddHours(-1), now.AddDays(1), revokedAt: now.AddSeconds(-1), familyId: session);
        var straggler = await InsertRefreshTokenAsync(user.Id, now.AddHours(-1), now.AddDays(1), familyId: session);

        await AssertRefreshRefusedAsync(await RefreshAsync(straggler));
        Assert.NotNull((await StoredAsync(straggler))!.RevokedAt);
    }

    [Fact]
    public async Task A_user_disabled_by_another_process_cannot_refresh_even_while_this_one_caches_their_state()
    {
        var (user, tokens) = await factory.SignInAsync();
        // An authenticated request puts the user's state in this process's cache.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync("/me/profile", tokens.AccessToken)).StatusCode);

        // `users disable` run as a command changes the row; it cannot evict this process's cache.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UsersDbContext>().Users
                .Where(u => u.Id == user.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.Disabled, true));
        }

        await AssertRefreshRefusedAsync(await RefreshAsync(tokens.RefreshToken));
    }

    [Fact]
    public async Task A_login_deletes_the_sessions_that_can_no_longer_matter_and_keeps_the_rest()
    {
        var (user, live) = await factory.SignInAsync();
        var rotated = (await (await RefreshAsync(live.RefreshToken)).Content.ReadFromJsonAsync<TokenPair>())!;
        var now = DateTimeOffset.UtcNow;
        // An access token lives 15 minutes (plus a minute of skew) past its session's end or revocation.
        var longAgo = now.AddMinutes(-20);
        var recently = now.AddMinutes(-5);
        var expiredLongAgo = await InsertRefreshTokenAsync(user.Id, now.AddDays(-31), sessionExpiresAt: longAgo);
        var expiredRecently = await InsertRefreshTokenAsync(user.Id, now.AddDays(-31), sessionExpiresAt: recently);
        var revokedLongAgo = await InsertRefreshTokenAsync(user.Id, now.AddHours(-1), now.AddDays(1), revokedAt: longAgo);
        var revokedRecently = await InsertRefreshTokenAsync(user.Id, now.AddHours(-1), now.AddDays(1), revokedAt: recently);
        // A session revoked long ago beside a token its end missed (stored by a refresh the logout raced).
        var raced = Guid.CreateVersion7();
        var racedRevoked = await InsertRefreshTokenAsync(user.Id, now.AddHours(-1), now.AddDays(1), revokedAt: longAgo, familyId: raced);
        var racedStraggler = await InsertRefreshTokenAsync(user.Id, now.AddHours(-1), now.AddDays(1), familyId: raced);

        await factory.SignInAsync();

        Assert.False(await IsStoredAsync(expiredLongAgo));
        Assert.False(await IsStoredAsync(revokedLongAgo));
        Assert.False(await IsStoredAsync(racedRevoked));
        Assert.False(await IsStoredAsync(racedStraggler));
        Assert.True(await IsStoredAsync(expiredRecently));
        Assert.True(await IsStoredAsync(revokedRecently));
        Assert.True(await IsStoredAsync(live.RefreshToken));
        Assert.True(await IsStoredAsync(rotated.RefreshToken));

        // The live session's spent token was kept, so presenting it again is still recognised as a reuse.
        await ProblemAssert.IsProblemAsync(await RefreshAsync(live.RefreshToken), HttpStatusCode.Conflict);
    }

    /// <summary>A refresh token as an earlier login would have left it in the database.</summary>
    internal static async Task<string> InsertRefreshTokenAsync(ApiFactory factory, Guid userId, DateTimeOffset authTime, DateTimeOffset sessionExpiresAt, DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null, Guid? familyId = null)
    {
        var value = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JwtDbContext>();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            FamilyId = familyId ?? Guid.CreateVersion7(),
            UserId = userId,
            TokenHash = SHA256.HashData(Encoding.ASCII.GetBytes(value)),
            CreatedAt = authTime,
            AuthTime = authTime,
            ExpiresAt = expiresAt ?? sessionExpiresAt,
            SessionExpiresAt = sessionExpiresAt,
            RevokedAt = revokedAt,
        });
        await db.SaveChangesAsync();
        return value;
    }

    private Task<string> InsertRefreshTokenAsync(Guid userId, DateTimeOffset authTime, DateTimeOffset sessionExpiresAt, DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null, Guid? familyId = null) =>
        InsertRefreshTokenAsync(factory, userId, authTime, sessionExpiresAt, expiresAt, revokedAt, familyId);

    private async Task<bool> IsStoredAsync(string refreshToken) => await StoredAsync(refreshToken) is not null;

    private async Task<RefreshToken?> StoredAsync(string refreshToken)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(refreshToken));
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JwtDbContext>().RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash);
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        _client.PostAsJsonAsync("/auth/refresh", new { refreshToken });

    private static async Task AssertRefreshRefusedAsync(HttpResponseMessage response)
    {
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.WwwAuthenticate(), StringComparison.Ordinal);
    }
}
