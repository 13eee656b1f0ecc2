using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
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
            ExpiresAt = expiresAt,
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
        cache.Forget(key.SecretHash, key.PreviousSecretHash);
        return key;
    }

    /// <summary>
    /// Gives the key a new secret that works at once; the old one keeps working for
    /// <c>ApiKeys:RotationGracePeriod</c> (never past the key's own expiry), announcing its sunset.
    /// </summary>
    public async Task<CreatedApiKey?> RotateAsync(Guid id, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id && k.RevokedAt == null, cancellationToken);
        if (key is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var secret = ApiKeyFormat.NewKey(_options.Prefix);
        var graceEnds = now + _options.RotationGracePeriod;
        cache.Forget(key.SecretHash, key.PreviousSecretHash);

        key.PreviousSecretHash = key.SecretHash;
        key.PreviousSecretExpiresAt = key.ExpiresAt is { } expires && expires < graceEnds ? expires : graceEnds;
        key.RotatedAt = now;
        key.SecretHash = ApiKeyFormat.Hash(secret);
        key.Prefix = ApiKeyFormat.DisplayPrefix(secret, _options.Prefix);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(key, secret);
    }

    /// <summary>
    /// The credential for the hash of a presented key, loaded from the database (the handler looked in
    /// the cache first) and cached for the next request; null for unknown keys.
    /// </summary>
    public async ValueTask<ApiKeyCredential?> FindCredentialAsync(byte[] hash, CancellationToken cancellationToken)
    {
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
            SunsetAt: isCurrent ? null : key.PreviousSecretExpiresAt,
            DeprecatedAt: isCurrent ? null : key.RotatedAt);
        cache.Set(hash, credential);
        return credential;
    }
}

/// <summary>
/// Validated keys by the SHA-256 of their secret. Bounded in size and time; revoke and rotate drop
/// entries at once on this instance (and through the shared cache's invalidation when scaled out).
/// </summary>
public sealed class ApiKeyCache : IDisposable
{
    private static readonly TimeSpan EntryLifetime = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 50_000 });

    public bool TryGet(byte[] hash, out ApiKeyCredential? credential) => _cache.TryGetValue(Key(hash), out credential);

    public void Set(byte[] hash, ApiKeyCredential credential) =>
        _cache.Set(Key(hash), credential, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = EntryLifetime, Size = 1 });

    public void Forget(params byte[]?[] hashes)
    {
        foreach (var hash in hashes)
        {
            if (hash is not null)
            {
                _cache.Remove(Key(hash));
            }
        }
    }

    public void Dispose() => _cache.Dispose();

    private static string Key(byte[] hash) => Convert.ToHexString(hash);
}
