using System.Text.Json;
using AuthApiTemplate.Auth.Google;
using AuthApiTemplate.Tests.Google;

namespace AuthApiTemplate.Tests.ScaleOut;

/// <summary>Two instances whose Google client talks to one Google stand-in over loopback HTTP.</summary>
public sealed class GoogleInstances : TwoInstances
{
    private GoogleStubServer? _google;

    public GoogleStub Google => (_google ?? throw new InvalidOperationException("The instances have not started.")).Stub;

    protected override async Task<IReadOnlyDictionary<string, string>?> StartDependenciesAsync()
    {
        _google = await GoogleStubServer.StartAsync();
        return GoogleStub.Settings(_google.Stub.BaseAddress).ToDictionary(setting => setting.Key, setting => setting.Value!);
    }

    protected override async Task StopDependenciesAsync()
    {
        if (_google is not null)
        {
            await _google.DisposeAsync();
        }
    }
}

/// <summary>
/// A Google sign-in behind a load balancer without sticky sessions: the browser's requests of one login
/// land on different instances, which works only because they share the Data Protection key ring (the
/// OAuth state, the correlation cookie and the session cookie are protected with it).
/// </summary>
public sealed class GoogleSessionScaleOutTests(GoogleInstances instances) : IClassFixture<GoogleInstances>, IDisposable
{
    // The browser knows only the load balancer's public HTTPS address; the load balancer ends TLS and
    // passes the request, Host and Cookie headers as they came, over plain HTTP to an instance.
    private static readonly Uri PublicOrigin = new("https://api.example.test");

    private readonly HttpClient _loadBalancer = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    [Fact]
    public async Task A_Google_cookie_login_started_on_A_completes_on_B_and_the_session_works_on_A()
    {
        // The browser's cookie jar, for the public origin. The instances speak plain HTTP and mark the
        // correlation and session cookies Secure; HttpClient's CookieContainer keeps Secure cookies it
        // receives over http but never sends them back over http (not even to loopback), so the jar is
        // kept for the https origin the browser sees, and each forwarded request carries its Cookie header.
        var browser = new System.Net.CookieContainer();
        var account = GoogleTestKit.NewAccount();

        var login = await ForwardAsync(instances.A, browser, "/auth/google/login");
        Assert.True(login.StatusCode == HttpStatusCode.Redirect, $"A: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        var authorization = login.Headers.Location!;
        Assert.StartsWith(instances.Google.BaseAddress + GoogleStub.AuthorizationPath + "?", authorization.ToString(), StringComparison.Ordinal);
        Assert.Contains(browser.GetAllCookies(), cookie => cookie.Name.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal) && cookie.Secure);

        var callback = await ForwardAsync(instances.B, browser, "/signin-google" + instances.Google.Approve(authorization, account));
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"B: {(int)callback.StatusCode} {await callback.Content.ReadAsStringAsync()}");
        Assert.NotNull(callback.SetCookie(GoogleSignInMode.SessionCookie));

        var me = await ForwardAsync(instances.A, browser, "/auth/google/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var user = await me.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(account.Email, user.GetProperty("email").GetString());
        Assert.True(user.GetProperty("googleLinked").GetBoolean());

        // Without the cookie the same request is anonymous: the 200 above is the session's doing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await ForwardAsync(instances.A, new System.Net.CookieContainer(), "/auth/google/me")).StatusCode);
    }

    public void Dispose() => _loadBalancer.Dispose();

    /// <summary>What the load balancer does with one GET of the browser: sends it to <paramref name="instance"/>, and the answer's cookies back to the browser.</summary>
    private async Task<HttpResponseMessage> ForwardAsync(AppInstance instance, System.Net.CookieContainer browser, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.Address, pathAndQuery));
        // One public host for both instances, so both build the same redirect_uri for Google.
        request.Headers.Host = PublicOrigin.Authority;
        var publicUrl = new Uri(PublicOrigin, pathAndQuery);
        var cookies = browser.GetCookieHeader(publicUrl);
        if (cookies.Length > 0)
        {
            request.Headers.Add("Cookie", cookies);
        }

        var response = await _loadBalancer.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                browser.SetCookies(publicUrl, setCookie);
            }
        }

        return response;
    }
}
