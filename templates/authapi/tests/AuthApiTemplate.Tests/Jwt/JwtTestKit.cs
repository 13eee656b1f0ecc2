using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests.Jwt;

/// <summary>Signs users in through the app's own services and forges tokens the way an attacker would.</summary>
public static class JwtTestKit
{
    public static async Task<(User User, TokenPair Tokens)> SignInAsync(this ApiFactory factory, params string[] roles)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserStore>()
            .CreateAsync($"user-{Guid.NewGuid():N}@example.com", roles, "Test User", CancellationToken.None);
        var tokens = await scope.ServiceProvider.GetRequiredService<TokenService>().IssueAsync(user, CancellationToken.None);
        return (user, tokens);
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static Task<HttpResponseMessage> GetWithTokenAsync(this HttpClient client, string url, string token) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(token));

    public static Task<HttpResponseMessage> PostWithTokenAsync(this HttpClient client, string url, string token, object? body = null) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = body is null ? null : JsonContent.Create(body) }.WithBearer(token));

    public static JwtOptions Options(this ApiFactory factory) =>
        factory.Services.GetRequiredService<IOptions<JwtOptions>>().Value;

    public static byte[] SigningKey(this ApiFactory factory) => Convert.FromBase64String(factory.Options().SigningKey!);

    /// <summary>Claims of a valid access token for <paramref name="userId"/>, to be altered by a test.</summary>
    public static JsonObject ValidClaims(this ApiFactory factory, Guid userId, DateTimeOffset? authTime = null)
    {
        var options = factory.Options();
        var now = DateTimeOffset.UtcNow;
        return new JsonObject
        {
            ["sub"] = userId.ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sid"] = Guid.NewGuid().ToString("N"),
            ["iss"] = options.Issuer,
            ["aud"] = options.Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
            ["auth_time"] = (authTime ?? now).ToUnixTimeSeconds(),
            ["email"] = "forged@example.com",
        };
    }

    public static JsonObject Header(string alg = "HS256", string typ = "at+jwt") => new() { ["alg"] = alg, ["typ"] = typ };

    /// <summary>An HS256 token over exactly this header and payload.</summary>
    public static string SignHs256(JsonObject header, JsonObject payload, byte[] key)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string SignRs256(JsonObject header, JsonObject payload, RSA key)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public static string WithoutSignature(JsonObject header, JsonObject payload) => Encode(header) + "." + Encode(payload) + ".";

    public static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    public static JsonElement DecodePart(string token, int part) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[part])).RootElement.Clone();

    public static string? WwwAuthenticate(this HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Count == 0 ? null : string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
}
