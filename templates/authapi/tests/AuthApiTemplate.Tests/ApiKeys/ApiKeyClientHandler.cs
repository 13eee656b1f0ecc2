using AuthApiTemplate.Auth.ApiKeys;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.ApiKeys;

/// <summary>Creates one key with every scope, through the app's own store, and sends it on each request.</summary>
public sealed class ApiKeyClientHandler(ApiFactory factory) : DelegatingHandler
{
    private readonly Lazy<Task<string>> _key = new(async () => (await factory.CreateKeyAsync(["*"])).Secret);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains(ApiKeyAuthenticationHandler.HeaderName))
        {
            request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, await _key.Value);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
