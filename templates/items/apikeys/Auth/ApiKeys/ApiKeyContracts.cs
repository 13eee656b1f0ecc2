namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// The body of POST /api-keys. Name and scopes are required; a key without <see cref="ExpiresAt"/> never
/// expires and one without <see cref="PermitsPerMinute"/> gets ApiKeys:DefaultPermitsPerMinute.
/// </summary>
public sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt = null, int? PermitsPerMinute = null);

/// <summary>The answer to create and rotate: the only time <see cref="Key"/> is shown.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id,
    string Key,
    string Prefix,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    int? PermitsPerMinute,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PreviousKeyExpiresAt)
{
    public static CreatedApiKeyResponse From(CreatedApiKey created) => new(
        created.Key.Id, created.Secret, created.Key.Prefix, created.Key.Name, created.Key.Scopes,
        created.Key.ExpiresAt, created.Key.PermitsPerMinute, created.Key.CreatedAt, created.Key.PreviousSecretExpiresAt);
}

public sealed record ApiKeyResponse(
    Guid Id,
    string Prefix,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    int? PermitsPerMinute,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? RotatedAt,
    DateTimeOffset? PreviousKeyExpiresAt)
{
    public static ApiKeyResponse From(ApiKey key) => new(
        key.Id, key.Prefix, key.Name, key.Scopes, key.ExpiresAt, key.PermitsPerMinute, key.CreatedAt, key.CreatedBy,
        key.LastUsedAt, key.RevokedAt, key.RotatedAt, key.PreviousSecretExpiresAt);
}
