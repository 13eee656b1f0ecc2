using AuthApiTemplate.Infrastructure.ErrorHandling;
using AuthApiTemplate.Infrastructure.Health;
using AuthApiTemplate.Infrastructure.RateLimiting;

namespace AuthApiTemplate.Infrastructure;

/// <summary>
/// The cross-cutting behaviour every endpoint gets: problem details for every error, validation,
/// rate limiting, health checks and the OpenAPI document.
/// </summary>
public static class ApiDefaults
{
    public static IHostApplicationBuilder AddApiDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);

        builder.AddErrorHandling();
        builder.Services.AddValidation();
        builder.AddApiRateLimiting();
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenApi();

        return builder;
    }

    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        app.UseErrorHandling();
        app.UseApiRateLimiting();
        return app;
    }

    public static WebApplication MapApiDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapOpenApi().DisableRateLimiting();
        return app;
    }
}
