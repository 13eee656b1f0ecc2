using System.Net.Http.Headers;
using AuthApiTemplate.Tests.Jwt;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>Signs an admin in once, through the app's own services, and sends their access token.</summary>
public sealed class SignedInUserHandler(ApiFactory factory) : DelegatingHandler
{
    private readonly Lazy<Task<string>> _accessToken = new(async () => (await factory.SignInAsync("admin")).Tokens.AccessToken);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await _accessToken.Value);
        return await base.SendAsync(request, cancellationToken);
    }
}
