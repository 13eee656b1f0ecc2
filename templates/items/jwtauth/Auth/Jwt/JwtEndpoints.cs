using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthApiTemplate.Auth.Jwt;

public static class JwtEndpoints
{
    public static IEndpointRouteBuilder MapJwtEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Authentication");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous().WithName("RefreshTokens")
            .WithSummary("Trade a refresh token for a new token pair (the old refresh token is spent).");
        auth.MapPost("/logout", LogoutAsync).RequireAuthorization(ApiPolicies.SignedInUser).WithName("Logout")
            .WithSummary("Revoke the presented access token and its session's refresh tokens.");
        auth.MapPost("/logout-all", LogoutEverywhereAsync).RequireAuthorization(ApiPolicies.SignedInUser).WithName("LogoutEverywhere")
            .WithSummary("End every session of the signed-in user.");
        auth.MapGet("/me", MeAsync).RequireAuthorization(ApiPolicies.SignedInUser).WithName("GetCurrentUser")
            .WithSummary("The signed-in user as stored.");

        var demo = app.MapGroup("").WithTags("Authorization examples");
        demo.MapGet("/me/profile", Profile).RequireAuthorization().WithName("GetProfile")
            .WithSummary("Requires any valid credential.");
        demo.MapGet("/public/hello", Hello).RequireAuthorization(ApiPolicies.OptionalUser).WithName("Hello")
            .WithSummary("Anonymous or signed in; a credential that is presented must be valid.");
        demo.MapGet("/admin/ping", Ping).RequireAuthorization(ApiPolicies.Admin).WithName("AdminPing")
            .WithSummary("Requires the admin role.");
        demo.MapPost("/me/sensitive", Sensitive).RequireAuthorization(JwtPolicies.FreshLogin).WithName("SensitiveAction")
            .WithSummary("Requires a recent interactive login (RFC 9470 step-up otherwise).");
        return app;
    }

    /// <summary>Problem type of the 409 for a refresh token that a concurrent refresh spent a moment before.</summary>
    public const string RefreshedConcurrentlyProblemType = "urn:authapi:problem:refreshed-concurrently";

    private static async Task<Results<Ok<TokenPair>, UnauthorizedHttpResult, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, TokenService tokens, HttpContext context, CancellationToken cancellationToken)
    {
        var (pair, spentJustBefore) = await tokens.RefreshAsync(request.RefreshToken, cancellationToken);
        if (spentJustBefore)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                type: RefreshedConcurrentlyProblemType,
                title: "Refreshed concurrently.",
                detail: "Another request refreshed this session with the same token a moment ago. The session goes on: use the tokens that request received.");
        }

        if (pair is null)
        {
            // One answer for unknown, spent, revoked and expired tokens: nothing to learn by probing.
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The refresh token is invalid\"";
            return TypedResults.Unauthorized();
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(pair);
    }

    private static async Task<Results<NoContent, BadRequest>> LogoutAsync(ClaimsPrincipal user, TokenService tokens, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(user.FindFirst(TokenService.SessionIdClaim)?.Value, out var sessionId))
        {
            // Logout ends a JWT session; other credentials (API keys) have their own revocation.
            return TypedResults.BadRequest();
        }

        await tokens.LogoutAsync(sessionId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, BadRequest>> LogoutEverywhereAsync(ClaimsPrincipal user, TokenService tokens, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(user.FindFirst(ApiClaimTypes.Subject)?.Value, out var userId) || user.HasClaim(c => c.Type == ApiClaimTypes.ApiKeyId))
        {
            return TypedResults.BadRequest();
        }

        await tokens.LogoutEverywhereAsync(userId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, NotFound>> MeAsync(ClaimsPrincipal principal, Users.UserStore users, CancellationToken cancellationToken)
    {
        var user = Guid.TryParse(principal.FindFirst(ApiClaimTypes.Subject)?.Value, out var id)
            ? await users.FindByIdAsync(id, cancellationToken)
            : null;
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var authTime = long.TryParse(principal.FindFirst(ApiClaimTypes.AuthTime)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : user.CreatedAt;
        return TypedResults.Ok(new MeResponse(user.Id, user.Email, user.DisplayName, user.Roles, authTime));
    }

    private static Ok<ProfileResponse> Profile(ClaimsPrincipal user) =>
        TypedResults.Ok(new ProfileResponse(
            user.FindFirst(ApiClaimTypes.Subject)!.Value,
            user.FindFirst(ApiClaimTypes.Email)?.Value,
            [.. user.FindAll(ApiClaimTypes.Role).Select(c => c.Value)]));

    private static Ok<HelloResponse> Hello(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return TypedResults.Ok(new HelloResponse("Hello, anonymous caller.", false, null));
        }

        var subject = user.FindFirst(ApiClaimTypes.Subject)?.Value;
        var name = user.FindFirst(ApiClaimTypes.Email)?.Value ?? subject;
        return TypedResults.Ok(new HelloResponse($"Hello, {name}.", true, subject));
    }

    private static Ok<PingResponse> Ping(TimeProvider time) => TypedResults.Ok(new PingResponse("pong", time.GetUtcNow()));

    private static Ok<SensitiveResponse> Sensitive(ClaimsPrincipal user) =>
        TypedResults.Ok(new SensitiveResponse(
            "The sensitive operation ran.",
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(user.FindFirst(ApiClaimTypes.AuthTime)!.Value, CultureInfo.InvariantCulture))));
}

public static class JwtPolicies
{
    /// <summary>A JWT whose interactive login is recent enough.</summary>
    public const string FreshLogin = "FreshLogin";
}
