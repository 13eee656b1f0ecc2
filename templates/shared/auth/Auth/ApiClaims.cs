namespace AuthApiTemplate.Auth;

/// <summary>
/// The claim names every authentication plugin puts on its principals, so that authorization,
/// rate limiting and usage tracking read one vocabulary whatever the credential was.
/// </summary>
public static class ApiClaimTypes
{
    /// <summary>The user's id, or <c>apikey:&lt;id&gt;</c> for an API key.</summary>
    public const string Subject = "sub";
    public const string Role = "role";
    public const string Email = "email";
    /// <summary>One claim per granted scope pattern (API keys); see <see cref="ScopeMatcher"/>.</summary>
    public const string Scope = "scope";
    public const string ApiKeyId = "api_key_id";
    public const string TokenId = "jti";
    /// <summary>Seconds since the epoch of the interactive login this session descends from.</summary>
    public const string AuthTime = "auth_time";
}

public static class ApiRoles
{
    public const string Admin = "admin";
}
