using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
#if (jwtPlugin)
using AuthApiTemplate.Tests.Jwt;
#endif
#if (apikeys)
using AuthApiTemplate.Tests.ApiKeys;
#endif

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>What the logs say about hostile and refused requests: never a forged line, always enough to investigate.</summary>
public sealed class LogTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Marker = "FORGED-LOG-ENTRY";

    /// <summary>Line breaks a log viewer or a terminal may honour: CR, LF, NEL and the Unicode separators.</summary>
    private static readonly string[] Breaks = ["\r\n", "\n", "\r", "\u0085", "\u2028", "\u2029"];

    [Fact]
    public async Task User_controlled_values_cannot_start_a_new_log_line()
    {
        foreach (var separator in Breaks)
        {
            var value = "x" + separator + "warn: " + Marker;
            // Straight onto the server's HttpContext: an HTTP/1.1 parser would refuse CR and LF in a header
            // before the app saw them, so this is what an HTTP/2 peer or a proxy that unfolds headers could pass on.
            foreach (var (name, header) in new[]
            {
                ("Authorization", "Bearer " + value), ("Authorization", "ApiKey " + value), ("X-API-Key", value),
                ("User-Agent", value), ("X-Forwarded-For", value), ("Referer", value), ("Cookie", "a=" + value),
            })
            {
                await factory.Server.SendAsync(context =>
                {
                    context.Request.Method = "GET";
                    context.Request.Path = "/public/hello";
                    context.Request.Headers[name] = header;
                });
                await factory.Server.SendAsync(context =>
                {
                    context.Request.Method = "GET";
                    context.Request.Path = "/items/" + value;
                    context.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?api_key=" + Uri.EscapeDataString(value) + "&top=" + Uri.EscapeDataString(value));
                    context.Request.Headers[name] = header;
                });
            }

            var client = factory.CreateApiClient();
            await client.PostAsJsonAsync("/items", new { name = value, description = value });
            await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = value });
            await client.PostAsJsonAsync("/api-keys", new { name = value, scopes = new[] { value } });
            await client.GetAsync("/usage/stats?from=" + Uri.EscapeDataString(value));
        }

        var forged = factory.Logs.Lines
            .SelectMany(line => Breaks.Where(b => line.Contains(b + "warn: " + Marker, StringComparison.Ordinal)).Select(_ => line))
            .Distinct()
            .ToList();
        Assert.True(forged.Count == 0, "Log entries where a request value starts a line of its own:\n" + string.Join("\n---\n", forged.Take(10)));
    }
#if (jwtPlugin)

    [Fact]
    public async Task A_refused_bearer_token_is_logged_with_its_reason_and_the_trace_id_of_the_response()
    {
        var client = factory.CreateClient();
        var (_, tokens) = await factory.SignInAsync();
        var expiredClaims = factory.ValidClaims(Guid.NewGuid());
        expiredClaims["iat"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        expiredClaims["nbf"] = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        expiredClaims["exp"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var expired = JwtTestKit.SignHs256(JwtTestKit.Header(), expiredClaims, factory.SigningKey());

        foreach (var (token, reason) in new[] { ("not-a-token", "malformed"), (expired, "expired"), (tokens.RefreshToken, "malformed") })
        {
            var response = await client.GetWithTokenAsync("/me/profile", token);
            var line = await LogLineForAsync(response, "Bearer token refused");
            Assert.Contains($"({reason})", line, StringComparison.Ordinal);
            Assert.DoesNotContain(token, line, StringComparison.Ordinal);
        }
    }
#endif
#if (apikeys)

    [Fact]
    public async Task A_refused_api_key_is_logged_with_its_reason_its_prefix_at_most_and_the_trace_id()
    {
        var client = factory.CreateClient();
        var revoked = await factory.CreateKeyAsync(["items:read"]);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Auth.ApiKeys.ApiKeyStore>().RevokeAsync(revoked.Key.Id, CancellationToken.None);
        }

        var unknown = Auth.ApiKeys.ApiKeyFormat.NewKey("ak");
        foreach (var (key, reason, prefix) in new[] { (unknown, "unknown", "(none)"), (revoked.Secret, "revoked", revoked.Key.Prefix), ("ak_typo", "malformed", "(none)") })
        {
            var response = await client.GetWithKeyAsync("/items", key);
            var line = await LogLineForAsync(response, "API key refused");
            Assert.Contains($"({reason}), key {prefix},", line, StringComparison.Ordinal);
            Assert.DoesNotContain(key, line, StringComparison.Ordinal);
        }
    }
#endif
#if (anyAuth)

    /// <summary>The one warning that names the trace id of <paramref name="response"/>'s problem body.</summary>
    private async Task<string> LogLineForAsync(HttpResponseMessage response, string message)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var traceId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString()!;
        var lines = factory.Logs.Lines.Where(l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains(message, StringComparison.Ordinal) && l.Contains(traceId, StringComparison.Ordinal)).ToList();
        return Assert.Single(lines);
    }
#endif
}
