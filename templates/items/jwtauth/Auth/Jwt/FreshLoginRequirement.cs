using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>The interactive login behind the caller's token must be recent (<c>Jwt:FreshLoginMaxAge</c>).</summary>
public sealed class FreshLoginRequirement : IAuthorizationRequirement;

/// <summary>
/// Checks <c>auth_time</c>, which refreshing never renews. A stale login is answered with RFC 9470's
/// step-up challenge (401, <c>insufficient_user_authentication</c>, <c>max_age</c>), not a 403.
/// </summary>
internal sealed class FreshLoginHandler(IOptions<JwtOptions> options, TimeProvider time) : RequirementHandler<FreshLoginRequirement>
{
    protected override void Handle(AuthorizationHandlerContext context, FreshLoginRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var maxAge = options.Value.FreshLoginMaxAge;
        if (long.TryParse(context.User.FindFirst(ApiClaimTypes.AuthTime)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var authTime)
            && time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(authTime) <= maxAge)
        {
            context.Succeed(requirement);
            return;
        }

        context.Fail(new ChallengeFailureReason(this, "The login is not recent enough.", http => StepUpAsync(http, maxAge)));
    }

    private static async Task StepUpAsync(HttpContext context, TimeSpan maxAge)
    {
        var seconds = ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_user_authentication\", error_description=\"A more recent authentication is required\", max_age={seconds}";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "A more recent login is required.",
                Detail = $"Sign in again: this operation needs a login from the last {seconds} seconds.",
            },
        });
    }
}
