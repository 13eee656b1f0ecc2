#if (!usePostgres)
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
#if (jwtPlugin)
using AuthApiTemplate.Tests.Jwt;
#endif
#if (apikeys)
using AuthApiTemplate.Tests.ApiKeys;
#endif

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>
/// The database of a running app goes away and comes back, or another process holds its write lock:
/// whatever needs it fails closed with 503 and Retry-After (never 500, never a credential accepted or
/// refused on a guess), liveness stays up, and everything works again once the database is back.
/// </summary>
public sealed class DatabaseOutageTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    public DatabaseOutageTests()
    {
        // A held lock is reported after this long rather than the default five seconds.
        _factory.Settings["Database:BusyTimeout"] = "00:00:00.200";
    }

    [Fact]
    public async Task A_database_that_goes_away_fails_closed_with_503_and_everything_recovers_when_it_returns()
    {
        var client = _factory.CreateApiClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/items", new { name = "before" })).StatusCode);
#if (jwtPlugin)
        var (_, tokens) = await _factory.SignInAsync();
        // Correctly signed, for a user the app has never looked up: only the database can say who that is.
        var stranger = JwtTestKit.SignHs256(JwtTestKit.Header(), _factory.ValidClaims(Guid.NewGuid()), _factory.SigningKey());
        // A second instance, started but not yet asked about a token: its revocation list is not restored yet.
        using var restarted = _factory.WithWebHostBuilder(_ => { });
        var restartedClient = restarted.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await restartedClient.GetAsync("/health/live")).StatusCode);
#endif
#if (apikeys)
        // Created but never used, so no cache knows it yet.
        var key = await _factory.CreateKeyAsync(["items:read"]);
#endif

        var folder = Path.GetDirectoryName(_factory.Database.FilePath)!;
        var away = folder + "-away";
        Directory.Move(folder, away);
        SqliteConnection.ClearAllPools();
        try
        {
            var anonymous = _factory.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
            var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.DoesNotContain("SQLite", await ready.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

            foreach (var response in new[]
            {
                await client.PostAsJsonAsync("/items", new { name = "during" }),
                await client.GetAsync("/items"),
#if (jwtPlugin)
                await anonymous.PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.RefreshToken }),
                await anonymous.GetWithTokenAsync("/me/profile", stranger),
                // It can restore neither its revocation list nor the user's state: a valid token is not accepted on a guess.
                await restartedClient.GetWithTokenAsync("/me/profile", tokens.AccessToken),
#endif
#if (apikeys)
                await anonymous.GetWithKeyAsync("/items", key.Secret),
#endif
            })
            {
                await AssertFailsClosedAsync(response);
            }
        }
        finally
        {
            Directory.Move(away, folder);
        }

        var recovered = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await recovered.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/items", new { name = "after" })).StatusCode);
#if (jwtPlugin)
        // The refresh that failed during the outage spent nothing: the token still works, once.
        Assert.Equal(HttpStatusCode.OK, (await recovered.PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.RefreshToken })).StatusCode);
        // What failed during the outage (the revocation list's restore included) is tried again by the next request.
        Assert.Equal(HttpStatusCode.OK, (await restartedClient.GetWithTokenAsync("/me/profile", tokens.AccessToken)).StatusCode);
#endif
#if (apikeys)
        Assert.Equal(HttpStatusCode.OK, (await recovered.GetWithKeyAsync("/items", key.Secret)).StatusCode);
#endif
    }

    [Fact]
    public async Task A_write_lock_held_by_another_process_is_a_503_for_writers_while_readers_carry_on()
    {
        var client = _factory.CreateApiClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/items", new { name = "before" })).StatusCode);
#if (jwtPlugin)
        var (_, tokens) = await _factory.SignInAsync();
#endif

        await using (var holder = new SqliteConnection(_factory.ConnectionString))
        {
            await holder.OpenAsync();
            await using var begin = holder.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();

            await AssertFailsClosedAsync(await client.PostAsJsonAsync("/items", new { name = "locked out" }));
#if (jwtPlugin)
            // Spending a refresh token is a write: it waits for the lock, then fails closed.
            await AssertFailsClosedAsync(await _factory.CreateClient().PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.RefreshToken }));
#endif
            // WAL: readers are not blocked by a writer.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/items", new { name = "after" })).StatusCode);
#if (jwtPlugin)
        Assert.Equal(HttpStatusCode.OK, (await _factory.CreateClient().PostAsJsonAsync("/auth/refresh", new { refreshToken = tokens.RefreshToken })).StatusCode);
#endif
    }

    public void Dispose() => _factory.Dispose();

    private static async Task AssertFailsClosedAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.DoesNotContain("SQLite", problem.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("locked", problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
#endif
