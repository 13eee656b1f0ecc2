using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApiTemplate.Tests.Google;

/// <summary>A Google account as the stand-in reports it.</summary>
public sealed record GoogleAccount(string Subject, string Email, bool EmailVerified = true, string? HostedDomain = null, string Name = "Test Person");

/// <summary>
/// A stand-in for Google's servers, plugged in as the primary handler of the app's "Google" HttpClient
/// (the only edge the tests cannot reach): a token endpoint that checks the client secret and the PKCE
/// verifier, a userinfo endpoint, and a JWKS with RSA keys of its own that can be rotated. Its endpoints
/// live under <see cref="Authority"/> unless it is given another base address (that of a loopback server
/// handing it the requests of apps running as processes of their own).
/// </summary>
public sealed class GoogleStub : HttpMessageHandler
{
    public const string ClientId = "test-client.apps.googleusercontent.com";
    public const string ClientSecret = "GOCSPX-test-secret-4f9d2a7c1e";
    public const string Authority = "https://google.test";
    public const string AuthorizationPath = "/o/oauth2/v2/auth";
    public const string TokenPath = "/token";
    public const string UserInformationPath = "/userinfo";
    public const string JwksPath = "/certs";
    public const string AuthorizationEndpoint = Authority + AuthorizationPath;
    public const string TokenEndpoint = Authority + TokenPath;
    public const string UserInformationEndpoint = Authority + UserInformationPath;
    public const string JwksUri = Authority + JwksPath;

    private readonly ConcurrentDictionary<string, (GoogleAccount Account, string Challenge, string RedirectUri)> _codes = new();
    private readonly ConcurrentDictionary<string, GoogleAccount> _accessTokens = new();
    private readonly List<RsaSecurityKey> _publishedKeys = [];
    private readonly Lock _keysLock = new();
    private int _jwksFetches;

    /// <param name="baseAddress">Scheme, host and port the endpoints are served at (no trailing slash).</param>
    public GoogleStub(string baseAddress = Authority)
    {
        BaseAddress = baseAddress.TrimEnd('/');
        CurrentKey = NewKey();
    }

    public string BaseAddress { get; }

    /// <summary>The key new ID tokens are signed with.</summary>
    public RsaSecurityKey CurrentKey { get; private set; }

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>When set, the token endpoint answers with this status (Google being down or refusing).</summary>
    public HttpStatusCode? TokenEndpointFailure { get; set; }

    /// <summary>The app's Google client settings for a stand-in at <paramref name="baseAddress"/>.</summary>
    public static Dictionary<string, string?> Settings(string baseAddress = Authority) => new()
    {
        ["Authentication:Google:ClientId"] = ClientId,
        ["Authentication:Google:ClientSecret"] = ClientSecret,
        ["Authentication:Google:AuthorizationEndpoint"] = baseAddress + AuthorizationPath,
        ["Authentication:Google:TokenEndpoint"] = baseAddress + TokenPath,
        ["Authentication:Google:UserInformationEndpoint"] = baseAddress + UserInformationPath,
        ["Authentication:Google:JwksUri"] = baseAddress + JwksPath,
    };

    /// <summary>Google publishes a new key (and keeps the old one unless told otherwise).</summary>
    public RsaSecurityKey RotateKey(bool keepOld = true)
    {
        lock (_keysLock)
        {
            if (!keepOld)
            {
                _publishedKeys.Clear();
            }
        }

        CurrentKey = NewKey();
        return CurrentKey;
    }

    /// <summary>A key Google never published, for forged tokens.</summary>
    public static RsaSecurityKey UnpublishedKey() => new(RSA.Create(2048)) { KeyId = "forged-" + Guid.NewGuid().ToString("N")[..8] };

    /// <summary>
    /// What Google does when the user approves the consent screen: remembers the PKCE challenge of the
    /// authorization request at <paramref name="authorizationUrl"/> and returns the callback's query string.
    /// </summary>
    public string Approve(Uri authorizationUrl, GoogleAccount account)
    {
        var query = System.Web.HttpUtility.ParseQueryString(authorizationUrl.Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        var challenge = query["code_challenge"];
        Assert.False(string.IsNullOrEmpty(challenge));
        var state = query["state"];
        Assert.False(string.IsNullOrEmpty(state));
        var code = "4/" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        _codes[code] = (account, challenge!, query["redirect_uri"]!);
        return $"?state={Uri.EscapeDataString(state!)}&code={Uri.EscapeDataString(code)}&scope=openid%20email%20profile";
    }

    public string IssueIdToken(GoogleAccount account, Action<JsonObject>? alter = null, SecurityKey? key = null, string algorithm = SecurityAlgorithms.RsaSha256)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["iss"] = "https://accounts.google.com",
            ["aud"] = ClientId,
            ["azp"] = ClientId,
            ["sub"] = account.Subject,
            ["email"] = account.Email,
            ["email_verified"] = account.EmailVerified,
            ["name"] = account.Name,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        if (account.HostedDomain is { } hd)
        {
            claims["hd"] = hd;
        }

        alter?.Invoke(claims);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(claims.ToJsonString(), new SigningCredentials(key ?? CurrentKey, algorithm));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.GetLeftPart(UriPartial.Path);
        var path = url.StartsWith(BaseAddress + "/", StringComparison.Ordinal) ? url[BaseAddress.Length..] : null;
        return path switch
        {
            JwksPath => Jwks(),
            TokenPath => await TokenAsync(request, cancellationToken),
            UserInformationPath => UserInfo(request),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    private HttpResponseMessage Jwks()
    {
        Interlocked.Increment(ref _jwksFetches);
        JsonArray keys;
        lock (_keysLock)
        {
            keys = [.. _publishedKeys.Select(k =>
            {
                var parameters = k.Rsa.ExportParameters(false);
                return (JsonNode)new JsonObject
                {
                    ["kty"] = "RSA",
                    ["alg"] = "RS256",
                    ["use"] = "sig",
                    ["kid"] = k.KeyId,
                    ["n"] = Base64Url.EncodeToString(parameters.Modulus),
                    ["e"] = Base64Url.EncodeToString(parameters.Exponent),
                };
            })];
        }

        return Json(new JsonObject { ["keys"] = keys });
    }

    private async Task<HttpResponseMessage> TokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TokenEndpointFailure is { } failure)
        {
            return new HttpResponseMessage(failure) { Content = new StringContent("""{"error":"internal_failure"}""", Encoding.UTF8, "application/json") };
        }

        var form = System.Web.HttpUtility.ParseQueryString(await request.Content!.ReadAsStringAsync(cancellationToken));
        var (clientId, secret) = ClientCredentials(request, form);
        if (clientId != ClientId || secret != ClientSecret)
        {
            return Error("invalid_client");
        }

        if (form["grant_type"] != "authorization_code" || form["code"] is not { } code || !_codes.TryRemove(code, out var grant))
        {
            return Error("invalid_grant");
        }

        var verifier = form["code_verifier"] ?? "";
        var expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (verifier.Length < 43 || expected != grant.Challenge || form["redirect_uri"] != grant.RedirectUri)
        {
            return Error("invalid_grant");
        }

        var accessToken = "ya29." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        _accessTokens[accessToken] = grant.Account;
        return Json(new JsonObject
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["scope"] = "openid email profile",
            ["id_token"] = IssueIdToken(grant.Account),
        });
    }

    private HttpResponseMessage UserInfo(HttpRequestMessage request)
    {
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: { } token } || !_accessTokens.TryGetValue(token, out var account))
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        var body = new JsonObject
        {
            ["sub"] = account.Subject,
            ["email"] = account.Email,
            ["email_verified"] = account.EmailVerified,
            ["name"] = account.Name,
        };
        if (account.HostedDomain is { } hd)
        {
            body["hd"] = hd;
        }

        return Json(body);
    }

    private static (string? ClientId, string? Secret) ClientCredentials(HttpRequestMessage request, System.Collections.Specialized.NameValueCollection form)
    {
        if (request.Headers.Authorization is { Scheme: "Basic", Parameter: { } basic })
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(basic)).Split(':', 2);
            return (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]));
        }

        return (form["client_id"], form["client_secret"]);
    }

    private RsaSecurityKey NewKey()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "google-" + Guid.NewGuid().ToString("N")[..12] };
        lock (_keysLock)
        {
            _publishedKeys.Add(key);
        }

        return key;
    }

    private static HttpResponseMessage Error(string error) =>
        new(HttpStatusCode.BadRequest) { Content = new StringContent(new JsonObject { ["error"] = error }.ToJsonString(), Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Json(JsonObject body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), new MediaTypeHeaderValue("application/json")) };
}
