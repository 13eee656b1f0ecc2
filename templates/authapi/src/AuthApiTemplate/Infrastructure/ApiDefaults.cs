using System.Text.Json;
using System.Text.Json.Serialization;
using AuthApiTemplate.Infrastructure.ErrorHandling;
using AuthApiTemplate.Infrastructure.Health;
#if (!noHttps)
using AuthApiTemplate.Infrastructure.Https;
#endif
using AuthApiTemplate.Infrastructure.OpenApi;
using AuthApiTemplate.Infrastructure.Proxies;
using AuthApiTemplate.Infrastructure.RateLimiting;
using AuthApiTemplate.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Authentication;

namespace AuthApiTemplate.Infrastructure;

/// <summary>
/// The cross-cutting behaviour every endpoint gets: the client's address and scheme from known proxies,
#if (!noHttps)
/// HTTPS outside Development,
#endif
/// problem details for every error, validation, rate limiting, health checks, the OpenAPI document (in
/// Development with its interactive reference) and OpenTelemetry.
/// </summary>
public static class ApiDefaults
{
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddApiTelemetry();
        builder.AddKnownProxies();
#if (!noHttps)
        builder.AddHttpsOutsideDevelopment();
#endif

        builder.AddErrorHandling();
        builder.Services.AddValidation();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // A body that names a field twice is ambiguous (which one did the client mean?): 400, not last-wins.
            options.SerializerOptions.AllowDuplicateProperties = false;
            // Numbers are JSON numbers both ways ("5" for a number is a 400), so the OpenAPI document types
            // them as numbers only and generated clients need no string fallback.
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            // Validation errors are keyed by the JSON property a client sent ("name", not "Name").
            options.SerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.CamelCase;
        });
        builder.AddApiRateLimiting();
        builder.Services.AddHealthChecks();
        builder.AddApiDocument();

        return builder;
    }

    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        app.UseErrorHandling();
        // Authentication runs inside the error handler (a database outage while checking a token
        // fails closed with 503) and before the rate limiter (limits are per identity).
        var hasAuthentication = app.Services.GetService<IAuthenticationSchemeProvider>() is not null;
        if (hasAuthentication)
        {
            app.UseAuthentication();
        }

        app.UseApiRateLimiting();
        if (hasAuthentication)
        {
            app.UseAuthorization();
        }

        return app;
    }

    public static WebApplication MapApiDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapApiDocument();
        app.MapApiReference();
        return app;
    }
}
