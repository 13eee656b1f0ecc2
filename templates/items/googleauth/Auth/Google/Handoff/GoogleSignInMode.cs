using AuthApiTemplate.Auth.Google.Handoff;
using AuthApiTemplate.Auth.Jwt;
using AuthApiTemplate.Data;
using Microsoft.AspNetCore.Authentication.Cookies;

// In the feature's namespace, not the folder's: GoogleAuthExtensions calls whichever mode was scaffolded.
namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// jwt mode: the redirect flow ends in a popup that hands a single-use login code to its opener, which
/// trades it for a JWT pair; an ID-token sign-in returns the pair directly.
/// </summary>
public static class GoogleSignInMode
{
    /// <summary>Carries the signed-in user from Google's callback to the popup page, and nowhere else.</summary>
    public const string HandoffScheme = "GoogleHandoff";
    public const string HandoffCookie = "__Host-google-handoff";
    public const string HandoffIdClaim = "handoff_id";
    public static readonly TimeSpan HandoffLifetime = TimeSpan.FromMinutes(5);

    public static IHostApplicationBuilder AddGoogleSignInMode(this IHostApplicationBuilder builder)
    {
        builder.AddDatabaseContext<GoogleHandoffDbContext>(GoogleHandoffDbContext.MigrationsHistoryTable);
        builder.Services.AddScoped<GoogleLoginCodes>();
        builder.Services.AddSingleton<IGoogleSignInCompletion, TokenHandoffCompletion>();
        builder.Services.AddAuthentication().AddCookie(HandoffScheme, options =>
        {
            options.Cookie.Name = HandoffCookie;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            // Lax: the cookie is set by Google's redirect to our callback and read on the next top-level navigation.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.Path = "/";
            options.ExpireTimeSpan = HandoffLifetime;
            options.SlidingExpiration = false;
            // A one-time id that the popup page spends in the database: a copy of the cookie serves no second page.
            options.Events.OnSigningIn = context =>
            {
                (context.Principal?.Identity as System.Security.Claims.ClaimsIdentity)?.AddClaim(
                    new System.Security.Claims.Claim(HandoffIdClaim, Guid.NewGuid().ToString("N")));
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    /// <summary>What a completed ID-token sign-in answers in this mode: a token pair.</summary>
    public static RouteHandlerBuilder ProducesSignedIn(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<TokenPair>();

    public static void MapGoogleSignInMode(this IEndpointRouteBuilder app, RouteGroupBuilder google)
    {
        google.MapGet("/popup", GooglePopup.ShowAsync).AllowAnonymous().ExcludeFromDescription();
        google.MapPost("/exchange", GooglePopup.ExchangeAsync).AllowAnonymous().WithName("ExchangeGoogleLoginCode")
            .WithSummary("Trade the popup's single-use login code for a token pair.");
        app.MapGet("/js/google-popup.js", (HttpContext context, IWebHostEnvironment environment) =>
                GoogleSignInPages.Serve(context, environment.WebRootFileProvider, "js/google-popup.js", "text/javascript; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
    }
}
