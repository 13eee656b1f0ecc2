using System.Text.Json;
using AuthApiTemplate.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AuthApiTemplate.Infrastructure.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health")
            .WithTags("Health")
            .AllowAnonymous();

        // Liveness runs no checks: it answers as long as the process can serve a request, and costs less than
        // the 429 would. It is never limited, since an orchestrator restarts an instance whose liveness fails.
        health.MapHealthChecks("/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteReportAsync,
        }).DisableRateLimiting();

        // Readiness queries the database and every plugin's stores, so it counts against the caller's limit
        // like any route; probes from this host itself (a container's health check) are not counted.
        health.MapHealthChecks("/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = WriteReportAsync,
        }).DisableRateLimitingFromLoopback();

        return app;
    }

    /// <summary>
    /// Status, duration and each check's own description. Exception messages stay in the log: a health
    /// endpoint is often public and must not describe the infrastructure behind it.
    /// </summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthResponse(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckResponse(entry.Value.Status.ToString(), entry.Value.Description, entry.Value.Duration.TotalMilliseconds)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJsonContext.Default.HealthResponse, context.RequestAborted);
    }
}

public sealed record HealthResponse(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
