using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication;

namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// What a successful Google sign-in becomes: a JWT pair handed to the opener of a popup (jwt mode), or
/// a cookie session (cookie mode). Exactly one implementation exists in a scaffolded app.
/// </summary>
public interface IGoogleSignInCompletion
{
    /// <summary><c>jwt</c> or <c>cookie</c>: what the sign-in page should expect.</summary>
    string Mode { get; }

    /// <summary>The cookie scheme the redirect flow signs the user into after Google's callback.</summary>
    string SignInScheme { get; }

    /// <summary>Where the redirect flow goes after the callback, and what it must remember until then.</summary>
    AuthenticationProperties LoginProperties(string safeReturnUrl, string openerOrigin);

    /// <summary>Finishes a sign-in with a verified Google ID token.</summary>
    Task<IResult> CompleteIdTokenSignInAsync(HttpContext context, User user, CancellationToken cancellationToken);
}
