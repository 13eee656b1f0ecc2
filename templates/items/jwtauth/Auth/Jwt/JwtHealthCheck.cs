using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Jwt;

/// <summary>Ready only with a usable signing key and a revocation list that answers.</summary>
internal sealed class JwtHealthCheck(IOptions<JwtOptions> options, TokenRevocationList revocations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!JwtSigningKey.TryDecode(options.Value.SigningKey, out _, out _))
        {
            return HealthCheckResult.Unhealthy("The signing key is not usable.");
        }

        try
        {
            await revocations.IsRevokedAsync(Guid.Empty, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The token revocation list cannot be read.", exception);
        }

        return HealthCheckResult.Healthy("Signing key and token revocation list are usable.");
    }
}
