using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication;

namespace AuthApiTemplate.Auth.Google.Handoff;

internal sealed class TokenHandoffCompletion : IGoogleSignInCompletion
{
    public const string OpenerOriginKey = "opener_origin";

    public string Mode => "jwt";

    public string SignInScheme => GoogleSignInMode.HandoffScheme;

    public AuthenticationProperties LoginProperties(string safeReturnUrl, string openerOrigin) =>
        new(new Dictionary<string, string?> { [OpenerOriginKey] = openerOrigin }) { RedirectUri = "/auth/google/popup" };

    public async Task<IResult> CompleteIdTokenSignInAsync(HttpContext context, User user, CancellationToken cancellationToken)
    {
        var pair = await context.RequestServices.GetRequiredService<TokenService>().IssueAsync(user, cancellationToken);
        return TypedResults.Ok(pair);
    }
}
