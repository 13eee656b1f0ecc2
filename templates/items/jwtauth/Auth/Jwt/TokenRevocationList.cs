using Microsoft.Extensions.Caching.Distributed;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// Sessions (by the <c>sid</c> every access token carries) that ended before their tokens expired.
/// Keyed by session rather than by token so that a request costs one lookup (one round trip with Redis)
/// and one entry covers every token of the session, the presented one included. Entries live only as
/// long as a token of the session could still be valid, so the list stays small. It sits in the app's
/// distributed cache: in memory by default, shared when the cache is.
/// </summary>
public sealed class TokenRevocationList(IDistributedCache cache, TimeProvider time)
{
    private const string SessionKeyPrefix = "jwt:revoked:sid:";

    private static readonly byte[] Revoked = [1];

    public Task RevokeSessionAsync(Guid sessionId, DateTimeOffset lastTokenExpiresAt, CancellationToken cancellationToken)
    {
        // A minute past the last token's own end covers the clock skew validation allows.
        var expires = lastTokenExpiresAt + TimeSpan.FromMinutes(1);
        return expires <= time.GetUtcNow()
            ? Task.CompletedTask
            : cache.SetAsync(KeyFor(sessionId), Revoked, new DistributedCacheEntryOptions { AbsoluteExpiration = expires }, cancellationToken);
    }

    public async Task<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await cache.GetAsync(KeyFor(sessionId), cancellationToken) is not null;

    private static string KeyFor(Guid sessionId) => SessionKeyPrefix + sessionId.ToString("N");
}
