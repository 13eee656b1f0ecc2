using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure.Health;
using AuthApiTemplate.Infrastructure.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
#if (anyAuth)
using AuthApiTemplate.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
#endif

namespace AuthApiTemplate.Usage;

public static class UsageExtensions
{
    /// <summary>The usage tracker's services, tables, background writer, cleanup job and readiness check.</summary>
    public static IHostApplicationBuilder AddUsageTracking(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UsageOptions>()
            .BindConfiguration(UsageOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UsageOptions>, UsageOptionsValidator>());

        builder.Services.TryAddSingleton(TimeProvider.System);
        // Errors are problem details; also needed by the shared database exception handler in an app that had none.
        builder.Services.AddProblemDetails();
        builder.Services.AddMetrics();
        builder.Services.AddApiTag("Usage", "Usage analytics: request counts, error rates and latency percentiles per endpoint and per consumer.");
        builder.Services.AddSingleton<UsageMetrics>();
        builder.Services.AddSingleton<UsageTracker>();
        builder.Services.AddSingleton<UsageRouteNames>();
        builder.Services.TryAddSingleton<IUsageStore, EfUsageStore>();
        builder.Services.AddSingleton<UsageMaintenance>();
        builder.Services.AddScoped<UsageQueries>();

        builder.AddDatabaseContext<UsageDbContext>(UsageDbContext.MigrationsHistoryTable);

        builder.Services.AddSingleton<UsageWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UsageWriter>());
        builder.Services.AddHostedService<UsageMaintenanceService>();
        builder.Services.AddHealthChecks().AddCheck<UsageHealthCheck>("usage", tags: [HealthTags.Ready]);

#if (anyAuth)
        builder.Services.AddAuthorization();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeRequirementHandler>());
        builder.Services.AddAuthentication();
        // An app with no authentication scheme yet would throw on the analytics routes' challenge; with this
        // fallback they answer 401 until a real scheme (jwtauth, apikeys, your own) is added.
        builder.Services.PostConfigure<AuthenticationOptions>(options =>
        {
            if (!options.Schemes.Any() && options.DefaultScheme is null && options.DefaultChallengeScheme is null)
            {
                options.AddScheme<UsageNoAuthenticationHandler>(UsageNoAuthenticationHandler.SchemeName, displayName: null);
                options.DefaultScheme = UsageNoAuthenticationHandler.SchemeName;
            }
        });
#endif
        return builder;
    }

    /// <summary>
    /// Measures every request. Call it first (before error handling and rate limiting) so that the duration
    /// and the final status include them.
    /// </summary>
    public static WebApplication UseUsageTracking(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<UsageOptions>>().Value.Enabled)
        {
            app.UseMiddleware<UsageTrackingMiddleware>();
        }

        return app;
    }
}
#if (anyAuth)

/// <summary>Stands in when the app has no authentication scheme at all: nobody is signed in, challenges are 401.</summary>
internal sealed class UsageNoAuthenticationHandler : IAuthenticationHandler
{
    public const string SchemeName = "UsageNoAuthentication";

    private HttpContext? _context;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        _context!.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context!.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
#endif
