using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Micro;

/// <summary>
/// The "Api" scheme authenticating one request, as the authentication middleware does it: a request scope,
/// the credential selector, then the JWT or API key handler with its revocation and user/key checks (the
/// app as <see cref="BenchApp"/> hosts it). No credential at all is the baseline: the difference is what
/// validating a credential costs.
/// </summary>
public class AuthBenchmarks
{
    private WebApplicationFactory<Program> _factory = null!;
    private IServiceScopeFactory _scopes = null!;
    private string _bearer = null!;
    private string _apiKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bearer = "Bearer " + BenchApp.Token;
        _apiKey = BenchApp.ApiKey;
        _factory = BenchApp.Create();
        _scopes = _factory.Services.GetRequiredService<IServiceScopeFactory>();
        // Fill the caches a long-running server has warm: validated token, key, user state.
        if (!Jwt().GetAwaiter().GetResult() || !ApiKey().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The benchmark's token or API key was refused.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _factory.Dispose();

    [Benchmark(Baseline = true, Description = "no credential (scope + selector)")]
    public Task<bool> Anonymous() => AuthenticateAsync(null, null);

    [Benchmark(Description = "JWT (Authorization: Bearer)")]
    public Task<bool> Jwt() => AuthenticateAsync("Authorization", _bearer);

    [Benchmark(Description = "API key (X-API-Key)")]
    public Task<bool> ApiKey() => AuthenticateAsync("X-API-Key", _apiKey);

    private async Task<bool> AuthenticateAsync(string? header, string? value)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        if (header is not null)
        {
            context.Request.Headers[header] = value;
        }

        var result = await context.AuthenticateAsync();
        return header is null ? result.None : result.Succeeded;
    }
}
