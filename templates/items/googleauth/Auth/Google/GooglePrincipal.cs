using System.Globalization;
using System.Security.Claims;
using AuthApiTemplate.Users;

namespace AuthApiTemplate.Auth.Google;

/// <summary>The principal a Google sign-in produces: our user, never Google's raw claims.</summary>
public static class GooglePrincipal
{
    public const string AuthenticationMethod = "amr";
    public const string Google = "google";

    public static ClaimsPrincipal For(User user, DateTimeOffset signedInAt, string authenticationType)
    {
        // Whole seconds, as in a token; a sign-in just after a logout everywhere is dated to its cut-off.
        var authTime = UserSecurityState.SessionStartFor(signedInAt, user.SessionsValidAfter);
        var identity = new ClaimsIdentity(authenticationType, ApiClaimTypes.Subject, ApiClaimTypes.Role);
        identity.AddClaim(new Claim(ApiClaimTypes.Subject, user.Id.ToString()));
        identity.AddClaim(new Claim(ApiClaimTypes.Email, user.Email));
        identity.AddClaim(new Claim(ApiClaimTypes.AuthTime, authTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(AuthenticationMethod, Google));
        if (user.DisplayName is { Length: > 0 } name)
        {
            identity.AddClaim(new Claim("name", name));
        }

        foreach (var role in user.Roles)
        {
            identity.AddClaim(new Claim(ApiClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(identity);
    }
}
