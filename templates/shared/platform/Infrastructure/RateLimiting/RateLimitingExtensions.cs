using System.Globalization;
using System.Threading.RateLimiting;
#if (useRedis)
using AuthApiTemplate.Infrastructure.Caching;
#endif
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.RateLimiting;

public static class RateLimitingExtensions
{
    public static IHostApplicationBuilder AddApiRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
#if (useRedis)
        builder.AddAppCaches();
#endif
        builder.Services.TryAddSingleton<ApiRateLimiter>();

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<ApiRateLimiter>((options, apiLimiter) =>
        {
            options.GlobalLimiter = apiLimiter.Limiter;
            // The framework's default is 503; a client over its limit is told 429 (RFC 6585) and when to retry.
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRejectionAsync;
        });
        return builder;
    }

    public static WebApplication UseApiRateLimiting(this WebApplication app)
    {
        app.UseRateLimiter();
        var apiLimiter = app.Services.GetRequiredService<ApiRateLimiter>();
        app.Use((context, next) =>
        {
            // Successful responses advertise the policy and what is left of it.
            if (context.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is null && !ApiRateLimiter.IsExempt(context))
            {
                apiLimiter.WriteHeaders(context, retryAfter: null);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>
    /// Keeps the endpoint under the API's limits for every client except this host itself (loopback): for
    /// health probes that a container or a local agent runs, which a limit meant for clients must not fail.
    /// Everyone else is counted as on any other route.
    /// </summary>
    public static TBuilder DisableRateLimitingFromLoopback<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(LoopbackRateLimitExemption.Instance);

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var apiLimiter = context.RequestServices.GetRequiredService<ApiRateLimiter>();
        var retryAfter = ApiRateLimiter.RetryAfter(rejected.Lease);

        if (retryAfter is { } delay)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        apiLimiter.WriteHeaders(context, retryAfter);

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = retryAfter is { } d
                    ? string.Create(CultureInfo.InvariantCulture, $"The rate limit for this client is exhausted. Retry in {(int)Math.Ceiling(d.TotalSeconds)} seconds.")
                    : "The rate limit for this client is exhausted.",
            },
        });
    }
}

/// <summary>Endpoint metadata set by <see cref="RateLimitingExtensions.DisableRateLimitingFromLoopback{TBuilder}"/>.</summary>
public sealed class LoopbackRateLimitExemption
{
    public static readonly LoopbackRateLimitExemption Instance = new();

    private LoopbackRateLimitExemption()
    {
    }
}
