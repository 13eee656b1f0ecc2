using System.Text.Json.Nodes;
using AuthApiTemplate.Auth.ApiKeys;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.ApiKeys;

public static class ApiKeyTestKit
{
    /// <summary>A key made the way the `apikeys create` command makes one.</summary>
    public static async Task<CreatedApiKey> CreateKeyAsync(this ApiFactory factory, string[] scopes, DateTimeOffset? expiresAt = null, int? permitsPerMinute = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApiKeyStore>()
            .CreateAsync($"test-{Guid.NewGuid():N}", scopes, expiresAt, permitsPerMinute, "tests", CancellationToken.None);
    }

    public static HttpRequestMessage WithKey(this HttpRequestMessage request, string key)
    {
        request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        return request;
    }

    public static Task<HttpResponseMessage> GetWithKeyAsync(this HttpClient client, string url, string key) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithKey(key));

    public static Task<HttpResponseMessage> PostWithKeyAsync(this HttpClient client, string url, string key, object? body = null) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = body is null ? null : JsonContent.Create(body) }.WithKey(key));

    /// <summary>The problem body without what differs on every response (the trace id).</summary>
    public static async Task<string> StableProblemAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        body.Remove("traceId");
        return body.ToJsonString();
    }
}
