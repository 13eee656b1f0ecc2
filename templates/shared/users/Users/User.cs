namespace AuthApiTemplate.Users;

/// <summary>
/// A person who signs in. Shared by every plugin that signs people in (JWT, Google): the id is the
/// <c>sub</c> of their tokens and sessions.
/// </summary>
public sealed class User
{
    public const int EmailMaxLength = 320;
    public const int DisplayNameMaxLength = 200;
    public const int RoleMaxLength = 64;

    public Guid Id { get; init; }

    public required string Email { get; set; }

    /// <summary>Upper-invariant email for case-insensitive lookups and the unique index.</summary>
    public required string NormalizedEmail { get; set; }

    public string? DisplayName { get; set; }

    public List<string> Roles { get; set; } = [];

    /// <summary>Google's stable <c>sub</c> for this person; never matched through the email address.</summary>
    public string? GoogleSubject { get; set; }

    public bool Disabled { get; set; }

    /// <summary>Sessions started before this instant are no longer honoured (logout everywhere).</summary>
    public DateTimeOffset? SessionsValidAfter { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
