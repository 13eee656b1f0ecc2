using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AuthApiTemplate.Auth;

/// <summary>
/// A failure that calls for a specific answer instead of a plain 403, such as RFC 9470's step-up
/// challenge: the handler that failed writes the response itself.
/// </summary>
public sealed class ChallengeFailureReason(IAuthorizationHandler handler, string message, Func<HttpContext, Task> challenge)
    : AuthorizationFailureReason(handler, message)
{
    public Task ChallengeAsync(HttpContext context) => challenge(context);
}

internal sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure is { } failure)
        {
            foreach (var reason in failure.FailureReasons)
            {
                if (reason is ChallengeFailureReason challenge)
                {
                    return challenge.ChallengeAsync(context);
                }
            }
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
