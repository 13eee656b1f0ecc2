using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using AuthApiTemplate.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// Authenticates <c>X-API-Key</c>, <c>Authorization: ApiKey</c> and, only when enabled, the
/// <c>api_key</c> query parameter. Unknown, malformed, revoked and expired keys all get one identical
/// 401; a client that keeps presenting bad keys gets 429; two credentials at once get 400.
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyCache cache,
    ApiKeyFailureLimiter failures,
    ApiKeyUsageRecorder usage,
    IOptions<ApiKeyOptions> apiKeyOptions,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";
    public const string QueryParameter = "api_key";
    private const string AuthorizationPrefix = "ApiKey ";

    /// <summary>On a principal authenticated by a key's previous secret, during its rotation grace period.</summary>
    public const string RotatedOutSecretClaim = "api_key_rotated_out";

    private Outcome _outcome = Outcome.Unauthenticated;

    private enum Outcome
    {
        Unauthenticated,
        Invalid,
        Ambiguous,
        QueryStringRefused,
        TooManyFailures,
    }

    /// <summary>True when the request carries anything that looks like an API key (to pick this scheme).</summary>
    public static bool IsPresentIn(HttpContext context) =>
        context.Request.Headers.ContainsKey(HeaderName)
        || context.Request.Query.ContainsKey(QueryParameter)
        || context.Request.Headers.Authorization.Any(value => value?.StartsWith(AuthorizationPrefix, StringComparison.OrdinalIgnoreCase) == true);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKeys();
        if (presented.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var options = apiKeyOptions.Value;
        var authorization = Request.Headers.Authorization.Count;
        if (presented.Count > 1 || authorization > 1 || (authorization > 0 && presented.All(p => p.Source != KeySource.Authorization)))
        {
            return Fail(Outcome.Ambiguous, "More than one credential was presented.");
        }

        var (key, source) = presented[0];
        if (source == KeySource.Query && !options.AllowQueryString)
        {
            return Fail(Outcome.QueryStringRefused, "API keys are not accepted in the query string.");
        }

        var now = time.GetUtcNow();
        ApiKeyCredential? credential = null;
        var wellFormed = ApiKeyFormat.IsWellFormed(key, options.Prefix);
        var hash = wellFormed ? ApiKeyFormat.Hash(key) : null;
        var cached = hash is not null && cache.TryGet(hash, out credential);

        // A blocked address (one office behind NAT, every client behind a proxy) still gets the keys this
        // instance already vouches for from memory; only keys that would cost a database lookup are refused.
        if (!(cached && credential!.IsUsableAt(now)) && failures.AnyRecent && failures.IsBlocked(ClientAddress.PartitionOf(Context)))
        {
            return Fail(Outcome.TooManyFailures, "Too many invalid API keys from this client.");
        }

        if (hash is not null && !cached)
        {
            // Only a cache miss needs the (scoped, database-backed) store.
            credential = await Context.RequestServices.GetRequiredService<ApiKeyStore>().FindCredentialAsync(hash, Context.RequestAborted);
        }

        if (credential is null || !credential.IsUsableAt(now))
        {
            failures.RecordFailure(ClientAddress.PartitionOf(Context));
            // The prefix is not secret and tells operators which key failed; the rest never leaves memory.
            // The trace id is the one the problem body carries, so a client's report leads to this line.
            var reason = !wellFormed ? "malformed" : credential is null ? "unknown" : credential.RevokedAt is not null ? "revoked" : "expired";
            LogInvalidKey(Logger, reason, credential?.Prefix ?? "(none)", Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", System.Diagnostics.Activity.Current?.Id ?? Context.TraceIdentifier);
            return Fail(Outcome.Invalid, "The API key is invalid.");
        }

        usage.Record(credential.Id, now);
        Context.Features.Set(credential.RateLimit);
        if (credential.SunsetAt is { } sunset)
        {
            AnnounceRetirement(credential.DeprecatedAt ?? now, sunset);
        }

        var identity = new ClaimsIdentity(SchemeName, ApiClaimTypes.Subject, ApiClaimTypes.Role);
        identity.AddClaim(new Claim(ApiClaimTypes.Subject, credential.Subject));
        identity.AddClaim(new Claim(ApiClaimTypes.ApiKeyId, credential.IdText));
        identity.AddClaim(new Claim("name", credential.Name));
        if (credential.SunsetAt is not null)
        {
            identity.AddClaim(new Claim(RotatedOutSecretClaim, "true"));
        }

        foreach (var scope in credential.Scopes)
        {
            identity.AddClaim(new Claim(ApiClaimTypes.Scope, scope));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => _outcome switch
    {
        Outcome.Ambiguous => WriteProblemAsync(StatusCodes.Status400BadRequest, "Ambiguous credentials.", "Send one API key in one place: the X-API-Key header, or Authorization: ApiKey."),
        Outcome.QueryStringRefused => WriteProblemAsync(StatusCodes.Status400BadRequest, "API keys are not accepted in the query string.", "Send the key in the X-API-Key header."),
        Outcome.TooManyFailures => WriteTooManyFailuresAsync(),
        _ => WriteUnauthorizedAsync(),
    };

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden.", "The API key does not grant this operation.");

    private Task WriteUnauthorizedAsync()
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        // One body for every bad key, so a caller cannot tell unknown from revoked from expired.
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized.", "A valid API key is required.");
    }

    private Task WriteTooManyFailuresAsync()
    {
        Response.Headers.RetryAfter = ((int)Math.Ceiling(ApiKeyFailureLimiter.Window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many invalid API keys.", "This client presented too many invalid API keys. Retry later.");
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private AuthenticateResult Fail(Outcome outcome, string message)
    {
        _outcome = outcome;
        return AuthenticateResult.Fail(message);
    }

    /// <summary>RFC 9745 Deprecation and RFC 8594 Sunset: the caller is using a rotated-out secret.</summary>
    private void AnnounceRetirement(DateTimeOffset deprecatedAt, DateTimeOffset sunset)
    {
        Response.Headers["Deprecation"] = "@" + deprecatedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Response.Headers["Sunset"] = sunset.ToString("R", CultureInfo.InvariantCulture);
    }

    private List<(string Key, KeySource Source)> PresentedKeys()
    {
        var keys = new List<(string, KeySource)>();
        foreach (var value in Request.Headers[HeaderName])
        {
            keys.Add((value ?? "", KeySource.Header));
        }

        foreach (var value in Request.Headers.Authorization)
        {
            if (value?.StartsWith(AuthorizationPrefix, StringComparison.OrdinalIgnoreCase) == true)
            {
                keys.Add((value[AuthorizationPrefix.Length..].Trim(), KeySource.Authorization));
            }
        }

        foreach (var value in Request.Query[QueryParameter])
        {
            keys.Add((value ?? "", KeySource.Query));
        }

        return keys;
    }

    private enum KeySource
    {
        Header,
        Authorization,
        Query,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key refused ({Reason}), key {KeyPrefix}, client {Client}, trace {TraceId}")]
    private static partial void LogInvalidKey(ILogger logger, string reason, string keyPrefix, string client, string traceId);
}

/// <summary>Counts invalid keys per client address on the framework's fixed-window limiter.</summary>
public sealed class ApiKeyFailureLimiter : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _limiter;
    private long _lastFailure = long.MinValue / 2;

    public ApiKeyFailureLimiter(IOptions<ApiKeyOptions> options)
    {
        var permits = options.Value.FailedAttemptsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(
            client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = Window, QueueLimit = 0 }));
    }

    /// <summary>
    /// False when no key has failed within the last window: then no client can be over its limit, and the
    /// per-client limiter (a lock, and a limiter made for every new client) is skipped on the hot path.
    /// The framework's limiter counts windows in real time, so this does too, with a second to spare for its
    /// replenishment timer.
    /// </summary>
    public bool AnyRecent =>
        TimeProvider.System.GetElapsedTime(Volatile.Read(ref _lastFailure)) < Window + TimeSpan.FromSeconds(1);

    public bool IsBlocked(string client) => _limiter.GetStatistics(client)?.CurrentAvailablePermits == 0;

    public void RecordFailure(string client)
    {
        // Before the permit is taken, so that a check racing with this failure cannot skip the limiter.
        Volatile.Write(ref _lastFailure, TimeProvider.System.GetTimestamp());
        using var lease = _limiter.AttemptAcquire(client);
    }

    public void Dispose() => _limiter.Dispose();
}
