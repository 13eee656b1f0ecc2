using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// Sessions (by the <c>sid</c> every access token carries) that ended before their tokens expired.
/// Keyed by session rather than by token so that a request costs one lookup (one round trip with Redis)
/// and one entry covers every token of the session, the presented one included. Entries live only as
/// long as a token of the session could still be valid, so the list stays small. It sits in the app's
/// distributed cache: in memory by default, shared when the cache is.
/// </summary>
/// <remarks>
/// An in-memory cache starts empty, so before its first answer the list is restored from the database:
/// every session whose refresh tokens were revoked recently enough that one of its access tokens may
/// still be valid. A logout is therefore not undone by a restart. Until the restore has succeeded once,
/// every lookup retries it, so a database that is down fails the request closed.
/// </remarks>
public sealed class TokenRevocationList(IDistributedCache cache, IServiceScopeFactory scopes, IOptions<JwtOptions> options, TimeProvider time) : IDisposable
{
    private const string SessionKeyPrefix = "jwt:revoked:sid:";

    private static readonly byte[] Revoked = [1];

    // A minute past a token's own end covers the clock skew validation allows.
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _restoring = new(1, 1);

    private volatile bool _restored;

    public Task RevokeSessionAsync(Guid sessionId, DateTimeOffset lastTokenExpiresAt, CancellationToken cancellationToken)
    {
        var expires = lastTokenExpiresAt + Margin;
        return expires <= time.GetUtcNow()
            ? Task.CompletedTask
            : cache.SetAsync(KeyFor(sessionId), Revoked, new DistributedCacheEntryOptions { AbsoluteExpiration = expires }, cancellationToken);
    }

    public async Task<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (!_restored)
        {
            await RestoreAsync(cancellationToken);
        }

        return await cache.GetAsync(KeyFor(sessionId), cancellationToken) is not null;
    }

    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await _restoring.WaitAsync(cancellationToken);
        try
        {
            if (_restored)
            {
                return;
            }

            var lifetime = options.Value.AccessTokenLifetime;
            var since = time.GetUtcNow() - lifetime - Margin;
            await using var scope = scopes.CreateAsyncScope();
            var revoked = await scope.ServiceProvider.GetRequiredService<JwtDbContext>().RefreshTokens
                .Where(t => t.RevokedAt >= since)
                .Select(t => new { t.FamilyId, RevokedAt = t.RevokedAt!.Value })
                .ToListAsync(cancellationToken);
            foreach (var session in revoked.GroupBy(t => t.FamilyId))
            {
                await RevokeSessionAsync(session.Key, session.Max(t => t.RevokedAt) + lifetime, cancellationToken);
            }

            _restored = true;
        }
        finally
        {
            _restoring.Release();
        }
    }

    public void Dispose() => _restoring.Dispose();

    private static string KeyFor(Guid sessionId) => SessionKeyPrefix + sessionId.ToString("N");
}
