using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// Degraded (still ready) in Development without a client: the rest of the API works and the sign-in
/// routes say what is missing. Outside Development the app does not start without one.
/// </summary>
internal sealed class GoogleHealthCheck(IOptions<GoogleSignInOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(options.Value.IsConfigured
            ? HealthCheckResult.Healthy("A Google client id and secret are configured.")
            : HealthCheckResult.Degraded($"Google sign-in is not configured: set {GoogleSignInOptions.SectionName}:ClientId and ClientSecret."));
}
