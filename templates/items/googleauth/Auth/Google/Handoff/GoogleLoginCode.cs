namespace AuthApiTemplate.Auth.Google.Handoff;

/// <summary>
/// A single-use, 60-second login code, the only thing the sign-in popup hands to its opener. Stored
/// as the SHA-256 of its value; spending it is one conditional UPDATE, so it works exactly once.
/// </summary>
public sealed class GoogleLoginCode
{
    public required byte[] CodeHash { get; init; }

    public Guid UserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}
