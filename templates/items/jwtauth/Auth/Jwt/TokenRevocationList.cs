using Microsoft.Extensions.Caching.Distributed;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// Access tokens (by <c>jti</c>) and sessions (by <c>sid</c>) that were revoked before they expired.
/// Entries live only as long as a token they name could still be valid, so the list stays small.
/// It sits in the app's distributed cache: in memory by default, shared when the cache is.
/// </summary>
public sealed class TokenRevocationList(IDistributedCache cache, TimeProvider time)
{
    private static readonly byte[] Revoked = [1];

    public Task RevokeTokenAsync(string tokenId, DateTimeOffset tokenExpiresAt, CancellationToken cancellationToken) =>
        AddAsync("jwt:revoked:jti:" + tokenId, tokenExpiresAt, cancellationToken);

    public Task RevokeSessionAsync(Guid sessionId, DateTimeOffset lastTokenExpiresAt, CancellationToken cancellationToken) =>
        AddAsync("jwt:revoked:sid:" + sessionId.ToString("N"), lastTokenExpiresAt, cancellationToken);

    public async Task<bool> IsRevokedAsync(string tokenId, string? sessionId, CancellationToken cancellationToken)
    {
        if (await cache.GetAsync("jwt:revoked:jti:" + tokenId, cancellationToken) is not null)
        {
            return true;
        }

        return sessionId is not null
            && await cache.GetAsync("jwt:revoked:sid:" + sessionId, cancellationToken) is not null;
    }

    private Task AddAsync(string key, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // A minute past the token's own end covers the clock skew validation allows.
        var expires = until + TimeSpan.FromMinutes(1);
        return expires <= time.GetUtcNow()
            ? Task.CompletedTask
            : cache.SetAsync(key, Revoked, new DistributedCacheEntryOptions { AbsoluteExpiration = expires }, cancellationToken);
    }
}
