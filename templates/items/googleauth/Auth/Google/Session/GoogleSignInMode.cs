using System.Globalization;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

// In the feature's namespace, not the folder's: GoogleAuthExtensions calls whichever mode was scaffolded.
namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// cookie mode: a Google login becomes an HttpOnly, Secure, SameSite=Lax cookie session that every API
/// endpoint accepts. Meant for a front end served from this API's own origin.
/// </summary>
public static class GoogleSignInMode
{
    public const string SessionScheme = "Session";
    public const string SessionCookie = "__Host-session";

    public static IHostApplicationBuilder AddGoogleSignInMode(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IGoogleSignInCompletion, CookieSessionCompletion>();
        services.AddSingleton<SessionCookieEvents>();
        builder.AddApiAuthentication().AddCookie(SessionScheme, options =>
        {
            options.Cookie.Name = SessionCookie;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.Path = "/";
            options.SlidingExpiration = true;
            options.EventsType = typeof(SessionCookieEvents);
        });
        services.AddOptions<CookieAuthenticationOptions>(SessionScheme)
            .Configure<IOptions<GoogleSignInOptions>>((cookie, google) => cookie.ExpireTimeSpan = google.Value.SessionLifetime);
        // After bearer tokens and API keys: an explicit credential wins over an ambient cookie.
        services.AddApiCredential<CookieAuthenticationHandler>(SessionScheme, context => context.Request.Cookies.ContainsKey(SessionCookie), order: 200);
        services.AddApiSecurityScheme(SessionScheme, ApiCredentialKind.SignedInUser, () => new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = SessionCookie,
            Description = "The session cookie set by a Google sign-in (GET /auth/google/login or POST /auth/google/id-token).",
        });
        return builder;
    }

    /// <summary>What a completed ID-token sign-in answers in this mode: the user, with the session cookie set.</summary>
    public static RouteHandlerBuilder ProducesSignedIn(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<GoogleUserResponse>();

    public static void MapGoogleSignInMode(this IEndpointRouteBuilder app, RouteGroupBuilder google) =>
        google.MapPost("/logout", (Delegate)LogoutAsync).AllowAnonymous().WithName("EndGoogleSession")
            .WithSummary("End this cookie session.");

    private static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(HttpContext context)
    {
        if (SessionCookieEvents.IsCrossSiteWrite(context.Request))
        {
            // Another site's form would sign the user out: anonymous, so the session's own check never runs.
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "A cross-site request cannot end the session.");
        }

        await context.SignOutAsync(SessionScheme);
        GoogleSignInResponses.NoStore(context.Response);
        return TypedResults.NoContent();
    }
}

internal sealed class CookieSessionCompletion(TimeProvider time) : IGoogleSignInCompletion
{
    public string Mode => "cookie";

    public string SignInScheme => GoogleSignInMode.SessionScheme;

    public AuthenticationProperties LoginProperties(string safeReturnUrl, string openerOrigin) => new() { RedirectUri = safeReturnUrl };

    public async Task<IResult> CompleteIdTokenSignInAsync(HttpContext context, User user, CancellationToken cancellationToken)
    {
        await context.SignInAsync(GoogleSignInMode.SessionScheme, GooglePrincipal.For(user, time.GetUtcNow(), GoogleSignInMode.SessionScheme));
        return TypedResults.Ok(new GoogleUserResponse(user.Id, user.Email, user.DisplayName, user.Roles, GoogleLinked: true));
    }
}

/// <summary>
/// Every request re-checks the session against its age (<c>SessionMaxAge</c>) and against the user
/// (disabled, or signed out everywhere) through the cached security state, refuses cross-site writes
/// (Fetch Metadata), and answers like an API: 401/403, never a redirect to a login page.
/// </summary>
internal sealed class SessionCookieEvents(UserSecurityStates states, IOptions<GoogleSignInOptions> options, TimeProvider time) : CookieAuthenticationEvents
{
    private static readonly string[] SameSiteValues = ["same-origin", "none"];

    private const string Challenge = $"Cookie realm=\"api\", cookie-name=\"{GoogleSignInMode.SessionCookie}\"";

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (!Guid.TryParse(principal?.FindFirst(ApiClaimTypes.Subject)?.Value, out var userId)
            || !long.TryParse(principal.FindFirst(ApiClaimTypes.AuthTime)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var authTime))
        {
            context.RejectPrincipal();
            return;
        }

        // Sliding renewal keeps a used session alive; the sign-in's age bounds it.
        var signedInAt = DateTimeOffset.FromUnixTimeSeconds(authTime);
        if (time.GetUtcNow() - signedInAt > options.Value.SessionMaxAge
            || !(await states.GetAsync(userId, context.HttpContext.RequestAborted)).Allows(signedInAt))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(GoogleSignInMode.SessionScheme);
            return;
        }

        if (IsCrossSiteWrite(context.HttpContext.Request))
        {
            // A write started by another site rides on the cookie only by accident: it is not this user's.
            context.RejectPrincipal();
        }
    }

    /// <summary>A write whose Fetch Metadata says another site started it.</summary>
    public static bool IsCrossSiteWrite(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site
        && !SameSiteValues.Contains(site, StringComparer.OrdinalIgnoreCase);

    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        // A 401 names how to authenticate (RFC 9110); the scheme and parameter follow the Cookie
        // authentication draft (draft-broyer-http-cookie-auth), since no RFC defines one for sessions.
        context.Response.Headers.WWWAuthenticate = Challenge;
        return Task.CompletedTask;
    }

    public override Task RedirectToAccessDenied(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
