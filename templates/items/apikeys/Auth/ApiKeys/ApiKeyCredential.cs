using AuthApiTemplate.Infrastructure.RateLimiting;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>What a request needs to know about a valid key, as cached by the hash of its secret.</summary>
public sealed record ApiKeyCredential(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    int PermitsPerMinute,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? SunsetAt,
    DateTimeOffset? DeprecatedAt)
{
    // Made once per cached key instead of on every request that presents it.
    public string Subject { get; } = "apikey:" + Id;

    public string IdText { get; } = Id.ToString();

    public CallerRateLimit RateLimit { get; } = new("apikey:" + Id.ToString("N"), "apikey", PermitsPerMinute, TimeSpan.FromMinutes(1));

    /// <summary>Usable at <paramref name="now"/>: one second past <c>expiresAt</c> (or the sunset of a rotated-out secret) is too late.</summary>
    public bool IsUsableAt(DateTimeOffset now) =>
        RevokedAt is null && (ExpiresAt is null || now < ExpiresAt) && (SunsetAt is null || now < SunsetAt);
}
