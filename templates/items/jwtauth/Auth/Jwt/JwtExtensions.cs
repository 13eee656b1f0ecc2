using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure.Caching;
using AuthApiTemplate.Infrastructure.CommandLine;
using AuthApiTemplate.Infrastructure.Health;
using AuthApiTemplate.Infrastructure.OpenApi;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Auth.Jwt;

public static class JwtExtensions
{
    public static IHostApplicationBuilder AddJwtAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JwtOptions>()
            .BindConfiguration(JwtOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtSigningKeyValidator>();

        builder.AddUsers();
        builder.AddDatabaseContext<JwtDbContext>(JwtDbContext.MigrationsHistoryTable);
        services.TryAddSingleton(TimeProvider.System);
        builder.AddAppCaches();
        services.AddSingleton<JwtSigningKey>();
        services.AddSingleton<JwtValidationCache>();
        services.AddSingleton<TokenRevocationList>();
        services.AddScoped<TokenService>();
        services.AddSingleton<IAppCommand, TokensCommand>();

        builder.AddApiAuthentication().AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddApiCredential<JwtBearerHandler>(JwtBearerDefaults.AuthenticationScheme, HasAuthorizationHeader, order: 100, answersAnonymous: true);

        services.AddSingleton<IAuthorizationHandler, FreshLoginHandler>();
        services.AddAuthorizationBuilder().AddPolicy(JwtPolicies.FreshLogin, policy => policy
            .RequireAuthenticatedUser()
            .AddRequirements(new SignedInUserRequirement(), new FreshLoginRequirement()));

        services.AddHealthChecks().AddCheck<JwtHealthCheck>("jwt", tags: [HealthTags.Ready]);
        services.AddApiTag("Authentication", "JWT sessions: refresh a token pair, sign out, read the signed-in user.");
        services.AddApiTag("Authorization examples", "One route per kind of rule (any credential, optional, admin role, fresh login) to copy onto your own endpoints.");
        services.AddApiSecurityScheme(JwtBearerDefaults.AuthenticationScheme, ApiCredentialKind.SignedInUser, () => new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from POST /auth/refresh or a sign-in endpoint: `Authorization: Bearer <token>`.",
        });
        return builder;
    }

    /// <summary>
    /// The catch-all: an Authorization header that no more specific credential kind claimed is a
    /// bearer token, so garbage and duplicate headers are answered by JwtBearer with <c>invalid_token</c>.
    /// </summary>
    private static bool HasAuthorizationHeader(HttpContext context) => context.Request.Headers.Authorization.Count > 0;
}
