using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure.Caching;
using AuthApiTemplate.Infrastructure.CommandLine;
using AuthApiTemplate.Infrastructure.OpenApi;
using AuthApiTemplate.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Auth.ApiKeys;

public static class ApiKeysExtensions
{
    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiKeyOptions>()
            .BindConfiguration(ApiKeyOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();

        builder.AddDatabaseContext<ApiKeysDbContext>(ApiKeysDbContext.MigrationsHistoryTable);
        builder.AddApiRateLimiting();
        builder.AddAppCaches();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ApiKeyFailureLimiter>();
        services.AddSingleton<ApiKeyUsageRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<ApiKeyUsageRecorder>());
        services.AddScoped<ApiKeyStore>();
        services.AddSingleton<IAppCommand, ApiKeysCommand>();

        builder.AddApiAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, "API key", _ => { });
        services.AddApiCredential<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, ApiKeyAuthenticationHandler.IsPresentIn, order: 0);

        services.AddApiTag("API keys", "Create, list, rotate and revoke API keys (admins, or keys holding keys:manage).");
        services.AddApiSecurityScheme(ApiKeyAuthenticationHandler.SchemeName, ApiCredentialKind.ApiKey, () => new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = $"An API key in the {ApiKeyAuthenticationHandler.HeaderName} header (or `Authorization: ApiKey <key>`). " +
                $"Scopes this API defines: {string.Join(", ", ApiScopes.All)}; '*' stands for one segment or, last, for everything below it.",
        });
        return builder;
    }
}
