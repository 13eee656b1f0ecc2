using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.RateLimiting;

/// <summary>
/// The global limiter: a fixed window per caller. The partition is the resolved identity (the
/// authenticated subject) or else the client address, never a raw header a client can vary.
/// </summary>
public sealed class ApiRateLimiter : IDisposable
{
    public const string PolicyName = "global";

    private readonly WindowLimit _limit;

    public ApiRateLimiter(IOptions<RateLimitingOptions> options)
    {
        _limit = options.Value.Global;
        Limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = _limit.PermitLimit,
                Window = _limit.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

        // Structured field values from the IETF RateLimit header fields draft, computed once.
        PolicyHeader = string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";q={_limit.PermitLimit};w={(int)_limit.Window.TotalSeconds}");
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    public string PolicyHeader { get; }

    public string RemainingHeader(HttpContext context, TimeSpan? retryAfter)
    {
        var remaining = Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
        return retryAfter is { } reset
            ? string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";r={remaining};t={(int)Math.Ceiling(reset.TotalSeconds)}")
            : string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";r={remaining}");
    }

    public static string PartitionKey(HttpContext context)
    {
        var subject = context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirstValue("sub") ?? context.User.FindFirstValue(ClaimTypes.NameIdentifier)
            : null;
        return subject is not null
            ? "subject:" + subject
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    public void Dispose() => Limiter.Dispose();
}
