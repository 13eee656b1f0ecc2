#if (apikeys)
using AuthApiTemplate.Auth.ApiKeys;
#endif
#if (jwtPlugin)
using Microsoft.AspNetCore.Authentication.JwtBearer;
#endif
using Scalar.AspNetCore;

namespace AuthApiTemplate.Infrastructure;

/// <summary>
/// The interactive API reference (Scalar) over the OpenAPI document, at <c>/scalar/v1</c> in Development:
/// every route with its schemas, and an Authorize box whose bearer token or API key the page's own
/// requests carry.
/// </summary>
public static class ApiReference
{
    /// <summary>
    /// The credentials a person pastes into the Authorize box, the first one preselected. A Google session
    /// cookie is not among them: the sign-in sets it, and the page's requests to its own origin carry it.
    /// </summary>
    private static readonly string[] PastedCredentials =
    [
#if (jwtPlugin)
        JwtBearerDefaults.AuthenticationScheme,
#endif
#if (apikeys)
        ApiKeyAuthenticationHandler.SchemeName,
#endif
    ];

    public static WebApplication MapApiReference(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return app;
        }

        app.MapScalarApiReference("/scalar", options => options
            .WithTitle($"{app.Environment.ApplicationName} API reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .WithAllowedSecuritySchemes(PastedCredentials)
            // One scheme, not all: Scalar sends every preferred scheme at once, and two credentials are a 400.
            .AddPreferredSecuritySchemes(PastedCredentials.Take(1))
            // The script is served from the package; everything below would call Scalar's servers (fonts,
            // telemetry, the AI agent, sharing the document), and this page makes no request elsewhere.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools())
            .DisableRateLimiting()
            .AllowAnonymous();
        return app;
    }
}
