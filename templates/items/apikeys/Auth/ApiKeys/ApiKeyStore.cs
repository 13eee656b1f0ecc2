using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
#if (useRedis)
using AuthApiTemplate.Infrastructure.Caching;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Events;
#else
using Microsoft.Extensions.Caching.Memory;
#endif
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>A new key's one and only appearance with its secret.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

/// <summary>Creates, finds, rotates and revokes keys; validated keys are cached by hash so requests skip the database.</summary>
public sealed class ApiKeyStore(
    ApiKeysDbContext db,
    ApiKeyCache cache,
    IOptions<ApiKeyOptions> options,
    TimeProvider time)
{
    private readonly ApiKeyOptions _options = options.Value;

    public async Task<CreatedApiKey> CreateAsync(string name, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt, int? permitsPerMinute, string createdBy, CancellationToken cancellationToken)
    {
        var secret = ApiKeyFormat.NewKey(_options.Prefix);
        var now = time.GetUtcNow();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            Name = name.Trim(),
            Prefix = ApiKeyFormat.DisplayPrefix(secret, _options.Prefix),
            SecretHash = ApiKeyFormat.Hash(secret),
            Scopes = [.. scopes.Distinct(StringComparer.Ordinal)],
            // PostgreSQL's timestamptz takes UTC only; the instant is the same either way.
            ExpiresAt = expiresAt?.ToUniversalTime(),
            PermitsPerMinute = permitsPerMinute,
            CreatedAt = now,
            CreatedBy = createdBy,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(key, secret);
    }

    public Task<List<ApiKey>> ListAsync(CancellationToken cancellationToken) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);

    public Task<ApiKey?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);

    /// <summary>Revokes the key; it stops working at once (its cache entries are dropped).</summary>
    public async Task<ApiKey?> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await cache.ForgetAsync(key.SecretHash, key.PreviousSecretHash);
        return key;
    }

    /// <summary>
    /// Gives the key a new secret that works at once; the old one keeps working for
    /// <c>ApiKeys:RotationGracePeriod</c> (never past the key's own expiry), announcing its sunset.
    /// </summary>
    /// <remarks><paramref name="key"/> is the key as the caller read it, unrevoked.</remarks>
    public async Task<CreatedApiKey> RotateAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var secret = ApiKeyFormat.NewKey(_options.Prefix);
        var graceEnds = now + _options.RotationGracePeriod;
        var replaced = (key.SecretHash, key.PreviousSecretHash);
        var previousExpiresAt = key.ExpiresAt is { } expires && expires < graceEnds ? expires : graceEnds;
        var hash = ApiKeyFormat.Hash(secret);
        var prefix = ApiKeyFormat.DisplayPrefix(secret, _options.Prefix);

        // Only if the secret is still the one read above: of concurrent rotations one wins, and the others
        // fail instead of handing out secrets that the winner's write has already replaced.
        var rotated = await db.ApiKeys
            .Where(k => k.Id == key.Id && k.RevokedAt == null && k.SecretHash == replaced.SecretHash)
            .ExecuteUpdateAsync(set => set
                .SetProperty(k => k.PreviousSecretHash, replaced.SecretHash)
                .SetProperty(k => k.PreviousSecretExpiresAt, previousExpiresAt)
                .SetProperty(k => k.RotatedAt, now)
                .SetProperty(k => k.SecretHash, hash)
                .SetProperty(k => k.Prefix, prefix), cancellationToken);
        if (rotated == 0)
        {
            throw new DbUpdateConcurrencyException("The key was rotated or revoked by another request at the same time.");
        }

        // After the commit: a load that read the old row before it is then either dropped or evicted.
        await cache.ForgetAsync(replaced.SecretHash, replaced.PreviousSecretHash);
        key.PreviousSecretHash = replaced.SecretHash;
        key.PreviousSecretExpiresAt = previousExpiresAt;
        key.RotatedAt = now;
        key.SecretHash = hash;
        key.Prefix = prefix;
        return new CreatedApiKey(key, secret);
    }

    /// <summary>
    /// The credential for the hash of a presented key, loaded from the database (the handler looked in
    /// the cache first) and cached for the next request; null for unknown keys.
    /// </summary>
    public async ValueTask<ApiKeyCredential?> FindCredentialAsync(byte[] hash, CancellationToken cancellationToken)
    {
        var load = cache.StartLoad();
        var key = await db.ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.SecretHash == hash || k.PreviousSecretHash == hash, cancellationToken);
        if (key is null)
        {
            return null;
        }

        var isCurrent = CryptographicOperations.FixedTimeEquals(key.SecretHash, hash);
        if (!isCurrent && (key.PreviousSecretHash is null || !CryptographicOperations.FixedTimeEquals(key.PreviousSecretHash, hash)))
        {
            return null;
        }

        var credential = new ApiKeyCredential(
            key.Id,
            key.Name,
            key.Prefix,
            key.Scopes,
            key.PermitsPerMinute ?? _options.DefaultPermitsPerMinute,
            key.ExpiresAt,
            key.RevokedAt,
            sunsetAt: isCurrent ? null : key.PreviousSecretExpiresAt,
            deprecatedAt: isCurrent ? null : key.RotatedAt);
        cache.Set(hash, credential, load);
        return credential;
    }
}

#if (useRedis)
/// <summary>
/// Validated keys by the SHA-256 of their secret, in this instance's memory only (credentials never go
/// to Redis). Revoke and rotate remove an entry through FusionCache, whose Redis backplane evicts it
/// from every other instance within milliseconds; entries loaded from the database are not announced,
/// so instances do not evict each other's fresh copies.
/// <para>
/// An eviction can overtake a load: the load read the row before the revoke committed, and the eviction
/// reached this instance before the load cached what it read, when there was nothing to evict yet.
/// Every eviction, made here or received from another instance, is therefore counted, and a load keeps
/// its entry only if no eviction was counted since it started (<see cref="StartLoad"/>, <see cref="Set"/>).
/// </para>
/// </summary>
public sealed class ApiKeyCache : IDisposable
{
    private const string KeyPrefix = "apikeys:";

    private static readonly TimeSpan EntryLifetime = TimeSpan.FromMinutes(5);

    private static readonly FusionCacheEntryOptions LocalOnly = new FusionCacheEntryOptions(EntryLifetime)
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
        SkipBackplaneNotifications = true,
        Size = 1,
    };

    private static readonly FusionCacheEntryOptions EvictEverywhere = new FusionCacheEntryOptions(EntryLifetime)
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
    };

    private readonly IFusionCache _cache;
    private readonly string _redisPrefix;
    private long _evictions;

    public ApiKeyCache(IFusionCache cache, IOptions<RedisOptions> redis)
    {
        _cache = cache;
        // FusionCache's CacheKeyPrefix: how this cache's keys appear in backplane messages.
        _redisPrefix = redis.Value.KeyPrefix;
        _cache.Events.Backplane.MessageReceived += OnBackplaneMessage;
    }

    public bool TryGet(byte[] hash, out ApiKeyCredential? credential)
    {
        var hit = _cache.TryGet<ApiKeyCredential>(Key(hash), LocalOnly);
        credential = hit.HasValue ? hit.Value : null;
        return hit.HasValue;
    }

    /// <summary>Call before reading a key from the database; pass the result to <see cref="Set"/>.</summary>
    public long StartLoad() => Interlocked.Read(ref _evictions);

    /// <summary>Caches what a load read, unless an eviction was counted since the load started.</summary>
    public void Set(byte[] hash, ApiKeyCredential credential, long load)
    {
        var key = Key(hash);
        _cache.Set(key, credential, LocalOnly);
        // Checked after writing: an eviction counted later than this check removes the entry itself.
        if (Interlocked.Read(ref _evictions) != load)
        {
            _cache.Remove(key, LocalOnly);
        }
    }

    public async ValueTask ForgetAsync(params byte[]?[] hashes)
    {
        Interlocked.Increment(ref _evictions);
        foreach (var hash in hashes)
        {
            if (hash is not null)
            {
                await _cache.RemoveAsync(Key(hash), EvictEverywhere);
            }
        }
    }

    public void Dispose() => _cache.Events.Backplane.MessageReceived -= OnBackplaneMessage;

    private void OnBackplaneMessage(object? sender, FusionCacheBackplaneMessageEventArgs e)
    {
        if (e.Message.CacheKey is { } prefixed && prefixed.StartsWith(_redisPrefix + KeyPrefix, StringComparison.Ordinal))
        {
            // Count, then evict again: FusionCache evicts the entry as well, but maybe before this
            // handler runs (handlers run in the background), so only this order closes the race.
            Interlocked.Increment(ref _evictions);
            _cache.Remove(prefixed[_redisPrefix.Length..], LocalOnly);
        }
    }

    private static string Key(byte[] hash) => KeyPrefix + Convert.ToHexString(hash);
}
#else
/// <summary>
/// Validated keys by the SHA-256 of their secret. Bounded in size and time; revoke and rotate drop
/// entries at once. A revoke can overtake a load that read the row before the revoke committed, so
/// evictions are counted and a load keeps its entry only if none was counted since it started.
/// </summary>
public sealed class ApiKeyCache : IDisposable
{
    private static readonly TimeSpan EntryLifetime = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 50_000 });
    private long _evictions;

    public bool TryGet(byte[] hash, out ApiKeyCredential? credential) => _cache.TryGetValue(Key(hash), out credential);

    /// <summary>Call before reading a key from the database; pass the result to <see cref="Set"/>.</summary>
    public long StartLoad() => Interlocked.Read(ref _evictions);

    /// <summary>Caches what a load read, unless an eviction was counted since the load started.</summary>
    public void Set(byte[] hash, ApiKeyCredential credential, long load)
    {
        var key = Key(hash);
        _cache.Set(key, credential, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = EntryLifetime, Size = 1 });
        // Checked after writing: an eviction counted later than this check removes the entry itself.
        if (Interlocked.Read(ref _evictions) != load)
        {
            _cache.Remove(key);
        }
    }

    public ValueTask ForgetAsync(params byte[]?[] hashes)
    {
        Interlocked.Increment(ref _evictions);
        foreach (var hash in hashes)
        {
            if (hash is not null)
            {
                _cache.Remove(Key(hash));
            }
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _cache.Dispose();

    private static string Key(byte[] hash) => Convert.ToHexString(hash);
}
#endif
