using System.Security.Claims;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication.Google;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

public static class GoogleAuthEndpoints
{
    public static IEndpointRouteBuilder MapGoogleAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var google = app.MapGroup("/auth/google").WithTags("Google sign-in");
        google.MapGet("/login", Login).AllowAnonymous().WithName("StartGoogleSignIn").Produces(StatusCodes.Status302Found).RequireRateLimiting(GoogleAuthDefaults.LoginRateLimitPolicy)
            .WithSummary("Start the Google redirect flow (PKCE). returnUrl: a local path or a URL on an allowed origin.");
        google.MapPost("/id-token", SignInWithIdTokenAsync).AllowAnonymous().WithName("SignInWithGoogleIdToken").ProducesSignedIn().RequireRateLimiting(GoogleAuthDefaults.LoginRateLimitPolicy)
            .WithSummary("Sign in with a Google Identity Services ID token.");
        google.MapGet("/config", Config).AllowAnonymous().WithName("GetGoogleSignInConfig")
            .WithSummary("What the sign-in page needs: the public client id and the session mode.");
        google.MapGet("/me", MeAsync).RequireAuthorization(ApiPolicies.SignedInUser).WithName("GetGoogleUser")
            .WithSummary("The signed-in user.");
        app.MapGoogleSignInMode(google);
        GoogleSignInPages.Map(app);
        return app;
    }

    private static Results<ChallengeHttpResult, ProblemHttpResult> Login(
        string? returnUrl, HttpContext context, SignInTargets targets, IGoogleSignInCompletion completion, IOptions<GoogleSignInOptions> options)
    {
        GoogleSignInResponses.NoStore(context.Response);
        if (IsEmbeddedLoad(context.Request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "A sign-in starts with a navigation, not with an embedded request.");
        }

        if (!options.Value.IsConfigured)
        {
            return NotConfigured();
        }

        var safeReturnUrl = targets.ReturnUrlOrDefault(returnUrl, context.Request);
        var properties = completion.LoginProperties(safeReturnUrl, targets.OpenerOrigin(safeReturnUrl, context.Request));
        return TypedResults.Challenge(properties, [GoogleDefaults.AuthenticationScheme]);
    }

    /// <summary>
    /// A GET that Fetch Metadata says is not a navigation: an <c>&lt;img&gt;</c> or a fetch that another page
    /// made. Refused, and not counted against the client's sign-in budget, which such loads would use up.
    /// </summary>
    internal static bool IsEmbeddedLoad(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Headers["Sec-Fetch-Mode"].ToString() is { Length: > 0 } mode
        && !mode.Equals("navigate", StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> SignInWithIdTokenAsync(
        GoogleIdTokenRequest request,
        HttpContext context,
        GoogleIdTokenValidator validator,
        GoogleAccounts accounts,
        IGoogleSignInCompletion completion,
        IOptions<GoogleSignInOptions> options,
        CancellationToken cancellationToken)
    {
        GoogleSignInResponses.NoStore(context.Response);
        if (string.IsNullOrWhiteSpace(request.Credential))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["credential"] = ["The Google ID token is required."] });
        }

        if (!options.Value.IsConfigured)
        {
            return NotConfigured();
        }

        GoogleIdentity? identity;
        try
        {
            identity = await validator.ValidateAsync(request.Credential, cancellationToken);
        }
        catch (GoogleKeysUnavailableException)
        {
            context.Response.Headers.RetryAfter = "30";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Google's signing keys are unavailable.", detail: "ID tokens cannot be verified right now. Retry shortly.");
        }

        if (identity is null)
        {
            GoogleSignInLog.Refused(context, "invalid_token");
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                title: "The ID token is invalid.", detail: "It is not a current Google ID token issued for this application.",
                extensions: new Dictionary<string, object?> { ["error"] = "invalid_token" });
        }

        var (user, refusal) = await accounts.SignInAsync(identity, cancellationToken);
        if (user is null)
        {
            var reason = refusal ?? GoogleSignInRefusal.AccountConflict;
            GoogleSignInLog.Refused(context, reason.Code());
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Google sign-in failed.", detail: reason.Describe(),
                extensions: new Dictionary<string, object?> { ["error"] = reason.Code() });
        }

        return await completion.CompleteIdTokenSignInAsync(context, user, cancellationToken);
    }

    private static Ok<GoogleSignInConfig> Config(IOptions<GoogleSignInOptions> options, IGoogleSignInCompletion completion) =>
        TypedResults.Ok(new GoogleSignInConfig(options.Value.IsConfigured ? options.Value.ClientId : null, completion.Mode));

    private static async Task<Results<Ok<GoogleUserResponse>, NotFound>> MeAsync(ClaimsPrincipal principal, UserStore users, CancellationToken cancellationToken)
    {
        var user = Guid.TryParse(principal.FindFirst(ApiClaimTypes.Subject)?.Value, out var id)
            ? await users.FindByIdAsync(id, cancellationToken)
            : null;
        return user is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new GoogleUserResponse(user.Id, user.Email, user.DisplayName, user.Roles, user.GoogleSubject is not null));
    }

    private static ProblemHttpResult NotConfigured() =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Google sign-in is not configured.",
            detail: $"Set {GoogleSignInOptions.SectionName}:ClientId and {GoogleSignInOptions.SectionName}:ClientSecret.");
}

public sealed record GoogleIdTokenRequest(string Credential);

public sealed record GoogleSignInConfig(string? ClientId, string Session);

public sealed record GoogleUserResponse(Guid Id, string Email, string? Name, IReadOnlyList<string> Roles, bool GoogleLinked);
