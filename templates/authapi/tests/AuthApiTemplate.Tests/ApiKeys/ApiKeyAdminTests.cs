using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApiTemplate.Auth.ApiKeys;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.ApiKeys;

public sealed class ApiKeyAdminTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task A_manager_key_creates_lists_reads_rotates_and_revokes_keys()
    {
        var manager = await factory.CreateKeyAsync(["keys:manage", "items:*"]);

        var created = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "reporting", scopes = new[] { "items:read" }, permitsPerMinute = 30 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!.AsObject();
        foreach (var field in new[] { "id", "key", "prefix", "name", "scopes", "expiresAt", "permitsPerMinute", "createdAt" })
        {
            Assert.True(body.ContainsKey(field), $"missing {field}: {body}");
        }

        var id = body["id"]!.GetValue<string>();
        var secret = body["key"]!.GetValue<string>();
        Assert.Equal($"/api-keys/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/items", secret)).StatusCode);

        var listed = await (await _client.GetWithKeyAsync("/api-keys", manager.Secret)).Content.ReadAsStringAsync();
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        var one = await (await _client.GetWithKeyAsync($"/api-keys/{id}", manager.Secret)).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, one, StringComparison.Ordinal);

        var rotated = JsonNode.Parse(await (await _client.PostWithKeyAsync($"/api-keys/{id}/rotate", manager.Secret)).Content.ReadAsStringAsync())!;
        var newSecret = rotated["key"]!.GetValue<string>();
        Assert.NotEqual(secret, newSecret);
        Assert.NotNull(rotated["previousKeyExpiresAt"]);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/items", newSecret)).StatusCode);

        var revoke = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api-keys/{id}").WithKey(manager.Secret));
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync("/items", newSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetWithKeyAsync("/items", secret)).StatusCode);
    }

    [Fact]
    public async Task A_key_can_only_hand_out_scopes_it_holds()
    {
        var manager = await factory.CreateKeyAsync(["keys:manage", "items:read"]);

        var escalation = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:write" } });
        var problem = await ProblemAssert.IsProblemAsync(escalation, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("scopes", out _));

        var widening = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:*" } });
        await ProblemAssert.IsProblemAsync(widening, HttpStatusCode.BadRequest);

        var allowed = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:read" } });
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task A_key_cannot_create_a_key_that_outlives_it_or_calls_faster_than_it_may()
    {
        // Whole seconds: PostgreSQL keeps microseconds, so a finer instant would come back a little earlier.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        var manager = await factory.CreateKeyAsync(["keys:manage", "items:read"], expiresAt: expires, permitsPerMinute: 10);

        var forever = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:read" }, permitsPerMinute = 10 });
        var later = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:read" }, permitsPerMinute = 10, expiresAt = expires.AddSeconds(1) });
        var faster = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:read" }, expiresAt = expires });

        Assert.True((await ProblemAssert.IsProblemAsync(forever, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expiresAt", out _));
        Assert.True((await ProblemAssert.IsProblemAsync(later, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("expiresAt", out _));
        Assert.True((await ProblemAssert.IsProblemAsync(faster, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("permitsPerMinute", out _));
        var within = await _client.PostWithKeyAsync("/api-keys", manager.Secret, new { name = "x", scopes = new[] { "items:read" }, permitsPerMinute = 5, expiresAt = expires });
        Assert.Equal(HttpStatusCode.Created, within.StatusCode);
    }

    [Fact]
    public async Task A_key_can_only_rotate_keys_whose_scopes_it_holds()
    {
        var manager = await factory.CreateKeyAsync(["keys:manage", "items:*"]);
        var wider = await factory.CreateKeyAsync(["*"]);
        var narrower = await factory.CreateKeyAsync(["items:read"]);

        // Rotating answers with the new secret: rotating a wider key would hand the manager its power.
        var takeover = await _client.PostWithKeyAsync($"/api-keys/{wider.Key.Id}/rotate", manager.Secret);
        var problem = await ProblemAssert.IsProblemAsync(takeover, HttpStatusCode.Forbidden);
        Assert.Contains("'*'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wider.Secret, await takeover.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/api-keys", wider.Secret)).StatusCode);

        var allowed = await _client.PostWithKeyAsync($"/api-keys/{narrower.Key.Id}/rotate", manager.Secret);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        // A key holding every scope may rotate any key.
        var byWider = await _client.PostWithKeyAsync($"/api-keys/{manager.Key.Id}/rotate", wider.Secret);
        Assert.Equal(HttpStatusCode.OK, byWider.StatusCode);
    }

    [Fact]
    public async Task A_rotated_out_secret_keeps_the_keys_scopes_but_gets_403_on_every_key_route()
    {
        var manager = await factory.CreateKeyAsync(["keys:manage", "items:*"]);
        var other = await factory.CreateKeyAsync(["items:read"]);
        var rotation = await _client.PostWithKeyAsync($"/api-keys/{manager.Key.Id}/rotate", manager.Secret);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var current = JsonNode.Parse(await rotation.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        var previous = manager.Secret;

        // Clients switching over keep working on the API's own routes, told that the secret is retiring.
        var items = await _client.GetWithKeyAsync("/items", previous);
        Assert.Equal(HttpStatusCode.OK, items.StatusCode);
        Assert.True(items.Headers.Contains("Sunset"));

        var management = new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/api-keys"),
            new HttpRequestMessage(HttpMethod.Get, $"/api-keys/{other.Key.Id}"),
            new HttpRequestMessage(HttpMethod.Post, "/api-keys") { Content = JsonContent.Create(new { name = "successor", scopes = new[] { "keys:manage", "items:*" } }) },
            new HttpRequestMessage(HttpMethod.Post, $"/api-keys/{manager.Key.Id}/rotate"),
            new HttpRequestMessage(HttpMethod.Post, $"/api-keys/{other.Key.Id}/rotate"),
            new HttpRequestMessage(HttpMethod.Delete, $"/api-keys/{other.Key.Id}"),
        };
        foreach (var request in management)
        {
            var route = $"{request.Method} {request.RequestUri}";
            var refused = await _client.SendAsync(request.WithKey(previous));
            Assert.True(HttpStatusCode.Forbidden == refused.StatusCode, $"{route}: {refused.StatusCode}");
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden);
            Assert.EndsWith("secret-rotated", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        // Nothing the previous secret asked for happened: the owner's secret works, the other key is untouched.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync("/api-keys", current)).StatusCode);
        var others = await (await _client.GetWithKeyAsync($"/api-keys/{other.Key.Id}", current)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Null(others!["revokedAt"]?.GetValue<DateTimeOffset?>());
        Assert.Null(others["rotatedAt"]?.GetValue<DateTimeOffset?>());
        var listed = await (await _client.GetWithKeyAsync("/api-keys", current)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("successor", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotating_a_key_obeys_the_caps_of_creation()
    {
        // Whole seconds: PostgreSQL keeps microseconds, so a finer instant would come back a little earlier.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        var manager = await factory.CreateKeyAsync(["keys:manage", "items:read"], expiresAt: expires, permitsPerMinute: 5);
        var forever = await factory.CreateKeyAsync(["items:read"]);
        var later = await factory.CreateKeyAsync(["items:read"], expiresAt: expires.AddSeconds(1), permitsPerMinute: 5);
        var faster = await factory.CreateKeyAsync(["items:read"], expiresAt: expires, permitsPerMinute: 6);
        var within = await factory.CreateKeyAsync(["items:read"], expiresAt: expires, permitsPerMinute: 5);

        foreach (var (key, caps) in new[] { (forever, "expiresAt permitsPerMinute"), (later, "expiresAt"), (faster, "permitsPerMinute") })
        {
            var refused = await _client.PostWithKeyAsync($"/api-keys/{key.Key.Id}/rotate", manager.Secret);
            var detail = (await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden)).GetProperty("detail").GetString();
            foreach (var cap in caps.Split(' '))
            {
                Assert.Contains(cap, detail, StringComparison.Ordinal);
            }

            Assert.Equal(caps.Contains("expiresAt", StringComparison.Ordinal), detail!.Contains("expiresAt", StringComparison.Ordinal));
            Assert.Equal(caps.Contains("permits", StringComparison.Ordinal), detail.Contains("permitsPerMinute", StringComparison.Ordinal));
            // Not rotated: the key's secret is still its current one.
            var used = await _client.GetWithKeyAsync("/items", key.Secret);
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
            Assert.False(used.Headers.Contains("Sunset"));
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.PostWithKeyAsync($"/api-keys/{within.Key.Id}/rotate", manager.Secret)).StatusCode);
#if (jwtPlugin)

        // A signed-in admin is bound by no calling key.
        var (_, admin) = await Jwt.JwtTestKit.SignInAsync(factory, "admin");
        var byAdmin = new HttpRequestMessage(HttpMethod.Post, $"/api-keys/{forever.Key.Id}/rotate");
        byAdmin.Headers.Authorization = new("Bearer", admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(byAdmin)).StatusCode);
#endif
    }

    [Fact]
    public async Task Of_two_rotations_that_read_the_same_secret_one_wins_and_the_other_is_a_409()
    {
        var admin = await factory.CreateKeyAsync(["*"]);
        var target = await factory.CreateKeyAsync(["items:read"]);
        // Holds each rotation's write until both have read the key: the race, every time.
        using var bothRead = new RotationWriteBarrier(parties: 2);
        using var app = factory.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.ConfigureDbContext<ApiKeysDbContext>(options => options.AddInterceptors(bothRead))));
        var client = app.CreateClient();

        // Each on its own thread: SQLite's async calls complete inline, so one thread would run them in turn.
        var responses = await Task.WhenAll(
            Task.Run(() => client.PostWithKeyAsync($"/api-keys/{target.Key.Id}/rotate", admin.Secret)),
            Task.Run(() => client.PostWithKeyAsync($"/api-keys/{target.Key.Id}/rotate", admin.Secret)));

        var won = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        await ProblemAssert.IsProblemAsync(Assert.Single(responses, r => r != won), HttpStatusCode.Conflict);
        var secret = JsonNode.Parse(await won.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithKeyAsync("/items", secret)).StatusCode);
    }

    private sealed class RotationWriteBarrier(int parties) : DbCommandInterceptor, IDisposable
    {
        private readonly Barrier _barrier = new(parties);

        public void Dispose() => _barrier.Dispose();

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            WaitIfRotation(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            WaitIfRotation(command);
            return ValueTask.FromResult(result);
        }

        private void WaitIfRotation(DbCommand command)
        {
            if (command.CommandText.Contains("\"PreviousSecretHash\" =", StringComparison.Ordinal))
            {
                Assert.True(_barrier.SignalAndWait(TimeSpan.FromSeconds(30)), "the two rotations never ran at the same time");
            }
        }
    }

    [Fact]
    public async Task An_invalid_scope_is_quoted_shortened_in_the_error()
    {
        var admin = await factory.CreateKeyAsync(["*"]);
        var huge = new string('x', 100_000);

        var response = await _client.PostWithKeyAsync("/api-keys", admin.Secret, new { name = "x", scopes = new[] { huge } });

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("scopes")[0].GetString()!;
        Assert.Contains(huge[..64] + "…", message, StringComparison.Ordinal);
        Assert.True(message.Length < 400, $"the error is {message.Length} characters");
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["items read"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["items:"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["it*ms:read"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["Items:read"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["undefined:read"]}""", "scopes")]
    [InlineData("""{"name":"x"}""", "scopes")]
    [InlineData("""{"name":"","scopes":[]}""", "name")]
    [InlineData("""{"name":"ops\nab12cd34  revoked","scopes":[]}""", "name")]
    [InlineData("""{"name":"red \u001b[31m","scopes":[]}""", "name")]
    [InlineData("""{"name":"ops \u202Edekover","scopes":[]}""", "name")]
    [InlineData("""{"name":"ops\u2028revoked","scopes":[]}""", "name")]
    [InlineData("""{"name":"x","scopes":[],"expiresAt":"2000-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"name":"x","scopes":[],"permitsPerMinute":0}""", "permitsPerMinute")]
    public async Task Invalid_requests_are_a_400_naming_the_field(string json, string field)
    {
        var admin = await factory.CreateKeyAsync(["*"]);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api-keys")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        }.WithKey(admin.Secret);
        var problem = await ProblemAssert.IsProblemAsync(await _client.SendAsync(request), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Management_needs_the_keys_manage_scope_or_the_admin_role()
    {
        var reader = await factory.CreateKeyAsync(["items:*"]);
        await ProblemAssert.IsProblemAsync(await _client.GetWithKeyAsync("/api-keys", reader.Secret), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await _client.GetAsync("/api-keys"), HttpStatusCode.Unauthorized);
#if (jwtPlugin)

        var (_, user) = await Jwt.JwtTestKit.SignInAsync(factory, "user");
        await ProblemAssert.IsProblemAsync(await Jwt.JwtTestKit.GetWithTokenAsync(_client, "/api-keys", user.AccessToken), HttpStatusCode.Forbidden);
        var (_, admin) = await Jwt.JwtTestKit.SignInAsync(factory, "admin");
        Assert.Equal(HttpStatusCode.OK, (await Jwt.JwtTestKit.GetWithTokenAsync(_client, "/api-keys", admin.AccessToken)).StatusCode);
#endif
    }

    [Fact]
    public async Task Key_secrets_never_reach_the_logs()
    {
        var created = await factory.CreateKeyAsync(["items:read"]);
        await _client.GetWithKeyAsync("/items", created.Secret);
        var revokedLookalike = created.Secret[..^3] + "AAA";
        await _client.GetWithKeyAsync("/items", revokedLookalike);
        await _client.GetAsync("/items?api_key=" + created.Secret);

        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(created.Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(revokedLookalike, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api_key_scheme_and_each_endpoints_scope()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json"));
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-API-Key", scheme.GetProperty("name").GetString());

        var security = document.RootElement.GetProperty("paths").GetProperty("/items").GetProperty("post").GetProperty("security");
        Assert.Contains(security.EnumerateArray(), requirement =>
            requirement.TryGetProperty("ApiKey", out var scopes) && scopes.EnumerateArray().Any(s => s.GetString() == "items:write"));
    }
}

/// <summary>The `apikeys` command on a fresh database, as an operator runs it.</summary>
public sealed class ApiKeysCommandTests : IDisposable
{
    private readonly TestDatabase _database = new();

    [Fact]
    public async Task Keys_can_be_created_listed_and_revoked_from_the_command_line()
    {
        var database = _database.ConnectionString;

        var created = await AppProcess.RunAsync(database, "Development", "apikeys", "create", "--name", "ci", "--scopes", "*", "--permits-per-minute", "100");
        Assert.True(created.ExitCode == 0, created.Errors);
        var secret = AppProcess.LastLine(created.Output);
        Assert.Matches("^ak_[0-9A-Za-z]{49}$", secret);

        var listed = await AppProcess.RunAsync(database, "Development", "apikeys", "list");
        Assert.True(listed.ExitCode == 0, listed.Errors);
        Assert.Contains(secret[..11], listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Output, StringComparison.Ordinal);
        var id = listed.Output.Trim().Split(' ')[0];

        var revoked = await AppProcess.RunAsync(database, "Development", "apikeys", "revoke", id);
        Assert.True(revoked.ExitCode == 0, revoked.Errors);
        Assert.Contains("revoked", (await AppProcess.RunAsync(database, "Development", "apikeys", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_scopes_are_refused_with_a_message()
    {
        var result = await AppProcess.RunAsync(_database.ConnectionString, "Development", "apikeys", "create", "--name", "x", "--scopes", "items read");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("scopes", result.Errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _database.Dispose();
    }
}
