using System.Text.Json.Serialization;

namespace AuthApiTemplate.Usage;

/// <summary>
/// Every request in [from, to). <c>errorRate</c> is the share of 4xx and 5xx responses; the percentiles are
/// request durations in milliseconds (0 when there were no requests).
/// </summary>
public sealed record UsageStatsResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    long TotalRequests,
    double ErrorRate,
    double P50Ms,
    double P95Ms,
    double P99Ms)
{
    public long ClientErrors { get; init; }

    public long ServerErrors { get; init; }

    /// <summary>
    /// Requests per status class (<c>2xx</c>, <c>3xx</c>, <c>4xx</c>, <c>5xx</c>; <c>1xx</c> when there were
    /// any), only when <c>statusClasses=true</c> was asked for: it reads the per-status rollups too.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, long>? StatusClasses { get; init; }

    /// <summary>Per-interval points, only when <c>interval</c> (seconds) was asked for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<UsagePoint>? Series { get; init; }
}

public sealed record UsagePoint(DateTimeOffset Time, long Requests, double ErrorRate, double P95Ms);

public sealed record UsageEndpointResponse(
    string Method,
    string Route,
    long Count,
    double ErrorRate,
    double P50Ms,
    double P95Ms,
    double P99Ms);

public sealed record UsageErrorResponse(string Method, string Route, int StatusCode, long Count);

/// <summary>A consumer is a user id, <c>apikey:</c> followed by a key's id, or <c>anonymous</c>.</summary>
public sealed record UsageConsumerResponse(string Consumer, long Count, double ErrorRate, DateTimeOffset LastSeen)
{
    /// <summary>
    /// How people know the consumer (a user's email, an API key's name), when the app has an
    /// <see cref="IUsageConsumerNames"/> that knows it; absent otherwise.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }
}

public sealed record UsageRealtimeResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    long TotalRequests,
    double RequestsPerSecond,
    double ErrorRate,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    IReadOnlyList<UsageRealtimePoint> Series);

public sealed record UsageRealtimePoint(DateTimeOffset Time, long Requests, long Errors, double P95Ms);

public sealed record UsageCleanupResponse(long RawRowsDeleted, long MinuteRollupsDownsampled, long RollupsDeleted);
