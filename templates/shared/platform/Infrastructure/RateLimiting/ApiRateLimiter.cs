using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
#if (useRedis)
using AuthApiTemplate.Infrastructure.Caching;
using RedisRateLimiting;
using StackExchange.Redis;
#endif

namespace AuthApiTemplate.Infrastructure.RateLimiting;

/// <summary>
/// The window a request is counted in, kept as a request feature. An authentication plugin sets it when
/// the caller has a limit of its own (an API key's permits per minute). Otherwise the limiter sets the
/// API's global limit for the authenticated subject or the client address the first time it is needed.
/// </summary>
public sealed record CallerRateLimit(string Partition, string Policy, int PermitLimit, TimeSpan Window);

/// <summary>
/// The global limiter: a fixed window per caller. The partition is the resolved identity (the
/// caller's own limit, else the authenticated subject, else the client address), never a raw
/// header a client can vary.
#if (useRedis)
/// The windows are counted in Redis (RedisRateLimiting), so a limit holds across every instance.
/// While Redis cannot be reached each instance falls back to counting on its own, so an outage of
/// the shared cache loosens limits to one window per instance instead of refusing every request.
#endif
/// </summary>
public sealed partial class ApiRateLimiter : IDisposable
{
    public const string GlobalPolicy = "global";

    /// <summary>The partition of the requests <see cref="IsExempt"/> lets through: it has no limiter.</summary>
    private static readonly CallerRateLimit Uncounted = new("uncounted", "none", int.MaxValue, TimeSpan.Zero);

    private readonly WindowLimit _global;
#if (useRedis)
    private readonly PartitionedRateLimiter<HttpContext> _local;
    private readonly PartitionedRateLimiter<HttpContext> _shared;
    private readonly ILogger<ApiRateLimiter> _logger;
#endif

    public ApiRateLimiter(
        IOptions<RateLimitingOptions> options
#if (useRedis)
        , IConnectionMultiplexer redis,
        IOptions<RedisOptions> redisOptions,
        ILogger<ApiRateLimiter> logger
#endif
        )
    {
        _global = options.Value.Global;
#if (useRedis)
        _logger = logger;
        _local = CreateLocalLimiter();
        var prefix = redisOptions.Value.KeyPrefix + "ratelimit:";
        _shared = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (IsExempt(context))
            {
                return RateLimitPartition.GetNoLimiter(Uncounted.Partition);
            }

            var partition = PartitionFor(context);
            // The limit is part of the key: a key whose own limit changes starts a fresh window.
            var key = string.Create(CultureInfo.InvariantCulture, $"{prefix}{partition.Partition}:{partition.PermitLimit}:{(long)partition.Window.TotalSeconds}");
            return RedisRateLimitPartition.GetFixedWindowRateLimiter(key, _ => new RedisFixedWindowRateLimiterOptions
            {
                PermitLimit = partition.PermitLimit,
                Window = partition.Window,
                ConnectionMultiplexerFactory = () => redis,
            });
        });
        Limiter = new SharedLimiter(this);
#else
        Limiter = CreateLocalLimiter();
#endif
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>
    /// Sets the IETF RateLimit header fields draft's <c>RateLimit-Policy</c> (the caller's quota) and
    /// <c>RateLimit</c> (what is left of it and, when known, when it resets).
    /// </summary>
    public void WriteHeaders(HttpContext context, TimeSpan? retryAfter)
    {
        var partition = PartitionFor(context);
#if (useRedis)
        var remaining = context.Features.Get<RemainingPermits>()?.Count ?? 0;
#else
        var remaining = Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
#endif
        var headers = context.Response.Headers;
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture, $"\"{partition.Policy}\";q={partition.PermitLimit};w={(int)partition.Window.TotalSeconds}");
        headers["RateLimit"] = retryAfter is { } reset
            ? string.Create(CultureInfo.InvariantCulture, $"\"{partition.Policy}\";r={remaining};t={(int)Math.Ceiling(reset.TotalSeconds)}")
            : string.Create(CultureInfo.InvariantCulture, $"\"{partition.Policy}\";r={remaining}");
    }

    /// <summary>When the client may try again, from whichever limiter refused the lease.</summary>
    public static TimeSpan? RetryAfter(RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
        {
            return wait;
        }
#if (useRedis)
        if (lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(seconds, 1));
        }
#endif

        return null;
    }

    /// <summary>
    /// Whether the request passes uncounted: it comes from this host (loopback) to an endpoint marked with
    /// <see cref="RateLimitingExtensions.DisableRateLimitingFromLoopback{TBuilder}"/>, such as a container's
    /// own health probe, which must not be turned away by a limit meant for clients.
    /// </summary>
    public static bool IsExempt(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<LoopbackRateLimitExemption>() is not null
        && ClientAddress.IsLoopback(context);

    private PartitionedRateLimiter<HttpContext> CreateLocalLimiter() =>
        PartitionedRateLimiter.Create<HttpContext, CallerRateLimit>(context => IsExempt(context)
            ? RateLimitPartition.GetNoLimiter(Uncounted)
            : RateLimitPartition.GetFixedWindowLimiter(PartitionFor(context), partition => new FixedWindowRateLimiterOptions
            {
                PermitLimit = partition.PermitLimit,
                Window = partition.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    /// <summary>
    /// The limiter, its statistics and the response fields each ask for the partition; it is resolved from
    /// the authenticated caller once per request (they all run after authentication).
    /// </summary>
    private CallerRateLimit PartitionFor(HttpContext context)
    {
        if (context.Features.Get<CallerRateLimit>() is { } resolved)
        {
            return resolved;
        }

        var partition = GlobalPartitionFor(context);
        context.Features.Set(partition);
        return partition;
    }

    private CallerRateLimit GlobalPartitionFor(HttpContext context)
    {
        var subject = context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirstValue("sub") ?? context.User.FindFirstValue(ClaimTypes.NameIdentifier)
            : null;
        var key = subject is not null
            ? "subject:" + subject
            : "address:" + ClientAddress.PartitionOf(context);
        return new CallerRateLimit(key, GlobalPolicy, _global.PermitLimit, _global.Window);
    }

#if (useRedis)
    public void Dispose()
    {
        Limiter.Dispose();
        _shared.Dispose();
        _local.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis cannot count rate limits now; this instance counts them on its own until it can")]
    private static partial void LogFallback(ILogger logger, Exception exception);

    private sealed record RemainingPermits(long Count);

    /// <summary>
    /// Takes every lease from the Redis-backed limiter (which only acquires asynchronously), keeps what
    /// is left of the window for the RateLimit field, and falls back to the local limiter on Redis errors.
    /// </summary>
    private sealed class SharedLimiter(ApiRateLimiter owner) : PartitionedRateLimiter<HttpContext>
    {
        private static readonly RateLimitLease NotTried = new NoLease();

        public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

        // Not acquired here: the rate limiting middleware then asks AcquireAsync, which can reach Redis.
        protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) => NotTried;

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                var lease = await owner._shared.AcquireAsync(resource, permitCount, cancellationToken);
                var remaining = lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var left) ? left : 0;
                resource.Features.Set(new RemainingPermits(remaining));
                return lease;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                LogFallback(owner._logger, exception);
                var lease = await owner._local.AcquireAsync(resource, permitCount, cancellationToken);
                resource.Features.Set(new RemainingPermits(owner._local.GetStatistics(resource)?.CurrentAvailablePermits ?? 0));
                return lease;
            }
        }

        private sealed class NoLease : RateLimitLease
        {
            public override bool IsAcquired => false;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
#else
    public void Dispose() => Limiter.Dispose();
#endif
}
