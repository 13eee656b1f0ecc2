using System.Threading.RateLimiting;
using AuthApiTemplate.Infrastructure.Health;
using AuthApiTemplate.Infrastructure.OpenApi;
using AuthApiTemplate.Infrastructure.RateLimiting;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication.Google;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

public static class GoogleAuthExtensions
{
    public static IHostApplicationBuilder AddGoogleAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GoogleSignInOptions>()
            .BindConfiguration(GoogleSignInOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<GoogleSignInOptions>, GoogleSignInDataAnnotationsValidator>();
        services.AddSingleton<IValidateOptions<GoogleSignInOptions>, GoogleSignInOptionsValidator>();
        services.AddOptions<LoginRateLimitOptions>()
            .BindConfiguration(LoginRateLimitOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LoginRateLimitOptions>, LoginRateLimitOptionsValidator>();

        builder.AddUsers();
        builder.AddApiRateLimiting();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(GoogleAuthDefaults.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<SignInTargets>();
        services.AddSingleton<GoogleSigningKeys>();
        services.AddSingleton<GoogleIdTokenValidator>();
        services.AddScoped<GoogleAccounts>();

        // Microsoft's handler quotes the correlation nonce in its warnings; our own line records each
        // refused sign-in with a reason and the trace id instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication.Google.GoogleHandler", LogLevel.Error);

        services.AddApiTag("Google sign-in", "Sign in with Google: the redirect flow (PKCE) or a Google Identity Services ID token.");
        builder.AddGoogleSignInMode();
        builder.AddApiAuthentication().AddGoogle();
        services.AddSingleton<IConfigureOptions<GoogleOptions>, GoogleHandlerSetup>();

        services.AddRateLimiter(options => options.AddPolicy(GoogleAuthDefaults.LoginRateLimitPolicy, LoginPartition));
        services.AddHealthChecks().AddCheck<GoogleHealthCheck>("google", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>Sign-in attempts are limited per client address, whoever the client claims to be.</summary>
    private static RateLimitPartition<string> LoginPartition(HttpContext context)
    {
        if (GoogleAuthEndpoints.IsEmbeddedLoad(context.Request))
        {
            // Refused by the endpoint without cost: counting it would let any page use up a client's budget.
            return RateLimitPartition.GetNoLimiter("login:embedded");
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<LoginRateLimitOptions>>().Value;
        return RateLimitPartition.GetFixedWindowLimiter("login:" + ClientAddress.PartitionOf(context), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}

/// <summary><c>RateLimiting:Login</c>: sign-in attempts per client address.</summary>
public sealed class LoginRateLimitOptions
{
    public const string SectionName = "RateLimiting:Login";

    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int PermitLimit { get; set; } = 10;

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

[OptionsValidator]
public sealed partial class LoginRateLimitOptionsValidator : IValidateOptions<LoginRateLimitOptions>;
