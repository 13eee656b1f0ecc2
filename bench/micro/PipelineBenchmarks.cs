using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Micro;

/// <summary>
/// Whole requests through the all-plugins app's middleware pipeline (error handling, authentication, rate
/// limiting, authorization, the endpoint, SQLite for <c>/items/{id}</c>) on the in-memory test server, so
/// the allocation column is everything one request costs the server plus a constant for the test client.
/// The rows differ only by credential and route: their differences are what authentication and
/// authorization add to a request, which is where the throughput ratios of the wrk run come from.
/// </summary>
public class PipelineBenchmarks
{
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;
    private string _bearer = null!;
    private string _apiKey = null!;
    private string _item = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bearer = "Bearer " + BenchApp.Token;
        _apiKey = BenchApp.ApiKey;
        _factory = BenchApp.Create();
        _client = _factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        _item = "/items/" + CreateItemAsync().GetAwaiter().GetResult();
        foreach (var check in new Func<Task<int>>[] { HelloAnonymous, HelloJwt, HelloApiKey, ItemJwt, ItemApiKey })
        {
            if (check().GetAwaiter().GetResult() != 200)
            {
                throw new InvalidOperationException("A benchmark request was refused: check the token, key and rate limits.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Benchmark(Baseline = true, Description = "/public/hello, no credential")]
    public Task<int> HelloAnonymous() => GetAsync("/public/hello", null, null);

    [Benchmark(Description = "/public/hello, JWT")]
    public Task<int> HelloJwt() => GetAsync("/public/hello", "Authorization", _bearer);

    [Benchmark(Description = "/public/hello, API key")]
    public Task<int> HelloApiKey() => GetAsync("/public/hello", "X-API-Key", _apiKey);

    [Benchmark(Description = "/items/{id}, JWT")]
    public Task<int> ItemJwt() => GetAsync(_item, "Authorization", _bearer);

    [Benchmark(Description = "/items/{id}, API key")]
    public Task<int> ItemApiKey() => GetAsync(_item, "X-API-Key", _apiKey);

    private async Task<int> GetAsync(string path, string? header, string? value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await _client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    private async Task<string> CreateItemAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(new { name = "bench" }) };
        request.Headers.TryAddWithoutValidation("X-API-Key", _apiKey);
        using var response = (await _client.SendAsync(request)).EnsureSuccessStatusCode();
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        return item.GetProperty("id").GetString()!;
    }
}
