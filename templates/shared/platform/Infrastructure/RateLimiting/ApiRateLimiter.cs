using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Infrastructure.RateLimiting;

/// <summary>
/// A limit that belongs to the caller rather than to the API, such as an API key's own permits per
/// minute. The authentication plugin that resolved the caller sets it as a request feature.
/// </summary>
public sealed record CallerRateLimit(string Partition, string Policy, int PermitLimit, TimeSpan Window);

/// <summary>
/// The global limiter: a fixed window per caller. The partition is the resolved identity (the
/// caller's own limit, else the authenticated subject, else the client address), never a raw
/// header a client can vary.
/// </summary>
public sealed class ApiRateLimiter : IDisposable
{
    public const string GlobalPolicy = "global";

    private readonly WindowLimit _global;

    public ApiRateLimiter(IOptions<RateLimitingOptions> options)
    {
        _global = options.Value.Global;
        Limiter = PartitionedRateLimiter.Create<HttpContext, RatePartition>(context =>
            RateLimitPartition.GetFixedWindowLimiter(PartitionFor(context), partition => new FixedWindowRateLimiterOptions
            {
                PermitLimit = partition.PermitLimit,
                Window = partition.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>
    /// Sets the IETF RateLimit header fields draft's <c>RateLimit-Policy</c> (the caller's quota) and
    /// <c>RateLimit</c> (what is left of it and, when known, when it resets).
    /// </summary>
    public void WriteHeaders(HttpContext context, TimeSpan? retryAfter)
    {
        var partition = PartitionFor(context);
        var remaining = Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
        var headers = context.Response.Headers;
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"{partition.Policy}\";q={partition.PermitLimit};w={(int)partition.Window.TotalSeconds}");
        headers["RateLimit"] = retryAfter is { } reset
            ? string.Create(CultureInfo.InvariantCulture, $"\"{partition.Policy}\";r={remaining};t={(int)Math.Ceiling(reset.TotalSeconds)}")
            : string.Create(CultureInfo.InvariantCulture, $"\"{partition.Policy}\";r={remaining}");
    }

    private RatePartition PartitionFor(HttpContext context)
    {
        if (context.Features.Get<CallerRateLimit>() is { } own)
        {
            return new RatePartition(own.Partition, own.Policy, own.PermitLimit, own.Window);
        }

        var subject = context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirstValue("sub") ?? context.User.FindFirstValue(ClaimTypes.NameIdentifier)
            : null;
        var key = subject is not null
            ? "subject:" + subject
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return new RatePartition(key, GlobalPolicy, _global.PermitLimit, _global.Window);
    }

    public void Dispose() => Limiter.Dispose();

    private readonly record struct RatePartition(string Key, string Policy, int PermitLimit, TimeSpan Window);
}
