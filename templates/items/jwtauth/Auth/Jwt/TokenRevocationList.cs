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
/// An in-memory cache starts empty at every start, so before its first answer each process restores the
/// list from the database: every session whose refresh tokens were revoked
/// recently enough that one of its access tokens may still be valid. A restart therefore does not undo a
/// logout. Requests that arrive during the restore wait for that one attempt; when it fails they fail
/// closed with it, and the next request tries again. The restore runs once per process: a Redis that loses
/// its data while the instances keep running is restored only as they restart, so give Redis persistence.
/// </remarks>
public sealed class TokenRevocationList(IDistributedCache cache, IServiceScopeFactory scopes, IOptions<JwtOptions> options, TimeProvider time)
{
    private const string SessionKeyPrefix = "jwt:revoked:sid:";

    private static readonly byte[] Revoked = [1];

    // A minute past a token's own end covers the clock skew validation allows.
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private readonly Lock _restoreGate = new();

    // The attempt in flight, or the one that succeeded.
    private Task? _restore;

    /// <summary>
    /// How long after a session ends one of its access tokens may still pass validation: the list, its
    /// restore and the refresh-token cleanup all keep an ended session this long.
    /// </summary>
    public static TimeSpan RevocationMatters(TimeSpan accessTokenLifetime) => accessTokenLifetime + Margin;

    public Task RevokeSessionAsync(Guid sessionId, DateTimeOffset lastTokenExpiresAt, CancellationToken cancellationToken)
    {
        var expires = lastTokenExpiresAt + Margin;
        return expires <= time.GetUtcNow()
            ? Task.CompletedTask
            : cache.SetAsync(KeyFor(sessionId), Revoked, new DistributedCacheEntryOptions { AbsoluteExpiration = expires }, cancellationToken);
    }

    public async Task<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _restore) is not { IsCompletedSuccessfully: true })
        {
            await RestoreOnceAsync().WaitAsync(cancellationToken);
        }

        return await cache.GetAsync(KeyFor(sessionId), cancellationToken) is not null;
    }

    /// <summary>The attempt in flight, or a new one when there is none or the last one failed.</summary>
    private Task RestoreOnceAsync()
    {
        lock (_restoreGate)
        {
            if (_restore is null || _restore.IsFaulted || _restore.IsCanceled)
            {
                _restore = RestoreFromDatabaseAsync();
            }

            return _restore;
        }
    }

    private async Task RestoreFromDatabaseAsync()
    {
        // Off the caller's stack: the attempt is started under the gate's lock and must not run there.
        await Task.Yield();
        var lifetime = options.Value.AccessTokenLifetime;
        var since = time.GetUtcNow() - RevocationMatters(lifetime);
        await using var scope = scopes.CreateAsyncScope();
        var revoked = await scope.ServiceProvider.GetRequiredService<JwtDbContext>().RefreshTokens
            .Where(t => t.RevokedAt >= since)
            .Select(t => new { t.FamilyId, RevokedAt = t.RevokedAt!.Value })
            // Every waiting request shares this attempt, so no one request's cancellation may end it.
            .ToListAsync(CancellationToken.None);
        foreach (var session in revoked.GroupBy(t => t.FamilyId))
        {
            await RevokeSessionAsync(session.Key, session.Max(t => t.RevokedAt) + lifetime, CancellationToken.None);
        }
    }

    private static string KeyFor(Guid sessionId) => SessionKeyPrefix + sessionId.ToString("N");
}
