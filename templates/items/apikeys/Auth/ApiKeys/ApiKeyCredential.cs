using AuthApiTemplate.Infrastructure.RateLimiting;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// What a request needs to know about a valid key, as cached by the hash of its secret. A class, not a
/// record: the subject, id text and rate limit are made once from the other values, and a <c>with</c> copy
/// would carry them over stale.
/// </summary>
public sealed class ApiKeyCredential(
    Guid id,
    string name,
    string prefix,
    IReadOnlyList<string> scopes,
    int permitsPerMinute,
    DateTimeOffset? expiresAt,
    DateTimeOffset? revokedAt,
    DateTimeOffset? sunsetAt,
    DateTimeOffset? deprecatedAt)
{
    public Guid Id { get; } = id;

    public string Name { get; } = name;

    public string Prefix { get; } = prefix;

    public IReadOnlyList<string> Scopes { get; } = scopes;

    public int PermitsPerMinute { get; } = permitsPerMinute;

    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    public DateTimeOffset? RevokedAt { get; } = revokedAt;

    /// <summary>When a rotated-out secret stops working; null for the current secret.</summary>
    public DateTimeOffset? SunsetAt { get; } = sunsetAt;

    public DateTimeOffset? DeprecatedAt { get; } = deprecatedAt;

    // Made once per cached key instead of on every request that presents it.
    public string Subject { get; } = "apikey:" + id;

    public string IdText { get; } = id.ToString();

    public CallerRateLimit RateLimit { get; } = new("apikey:" + id.ToString("N"), "apikey", permitsPerMinute, TimeSpan.FromMinutes(1));

    /// <summary>Usable at <paramref name="now"/>: one second past <c>expiresAt</c> (or the sunset of a rotated-out secret) is too late.</summary>
    public bool IsUsableAt(DateTimeOffset now) =>
        RevokedAt is null && (ExpiresAt is null || now < ExpiresAt) && (SunsetAt is null || now < SunsetAt);
}
