namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// An API key. Only the SHA-256 of its secret is stored; <see cref="Prefix"/> is the non-secret start
/// shown in lists and logs. After a rotation the previous secret keeps working until
/// <see cref="PreviousSecretExpiresAt"/>.
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 100;
    public const int MaxScopes = 50;

    public Guid Id { get; init; }

    public required string Name { get; set; }

    public required string Prefix { get; set; }

    public required byte[] SecretHash { get; set; }

    public byte[]? PreviousSecretHash { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    public DateTimeOffset? RotatedAt { get; set; }

    public List<string> Scopes { get; set; } = [];

    public int? PermitsPerMinute { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The <c>sub</c> of whoever created the key, or <c>cli</c>.</summary>
    public required string CreatedBy { get; init; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}
