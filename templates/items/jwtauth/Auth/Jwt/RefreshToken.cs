namespace AuthApiTemplate.Auth.Jwt;

/// <summary>
/// One refresh token, stored only as the SHA-256 of its value. Tokens issued from one login form a
/// family (the session, <c>sid</c> in access tokens): each is used once, and a reuse ends the family.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; init; }

    public Guid FamilyId { get; init; }

    public Guid UserId { get; init; }

    public required byte[] TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The family's absolute end: refreshing never goes past it.</summary>
    public DateTimeOffset SessionExpiresAt { get; init; }

    /// <summary>The interactive login the family descends from (<c>auth_time</c>).</summary>
    public DateTimeOffset AuthTime { get; init; }

    public DateTimeOffset? UsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
