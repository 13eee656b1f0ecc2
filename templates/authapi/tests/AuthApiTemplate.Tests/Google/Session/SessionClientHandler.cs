using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Google.Session;

/// <summary>
/// Gives every request the session cookie of a Google-signed-in admin. The cookie is made with the app's
/// own Data Protection keys (the sign-in routes themselves are rate-limited and tested elsewhere).
/// </summary>
public sealed class SessionClientHandler(ApiFactory factory) : DelegatingHandler
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _cookie;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Add("Cookie", await CookieAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> CookieAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cookie is null)
            {
                var account = GoogleTestKit.NewAccount();
                var admin = await factory.CreateUserAsync(account.Email, account.Subject, "admin");
                _cookie = SessionCookies.For(factory, admin);
            }

            return _cookie;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }
}
