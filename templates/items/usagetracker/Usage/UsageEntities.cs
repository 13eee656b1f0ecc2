namespace AuthApiTemplate.Usage;

public static class UsageLimits
{
    public const int MethodMaxLength = 16;
    public const int RouteMaxLength = 300;
    public const int ConsumerMaxLength = 128;

    /// <summary>Rollup resolutions: minute rows are merged into hourly rows once they are a day old.</summary>
    public const int Minute = 60;
    public const int Hour = 3600;
}

/// <summary>Every request of one period: what <c>/usage/stats</c> and the dashboard's charts read.</summary>
public sealed class UsageTotalRollup
{
    public int BucketSeconds { get; set; }

    /// <summary>Unix seconds (SQLite compares integers, not EF's text timestamps).</summary>
    public long PeriodStart { get; set; }

    public long Requests { get; set; }

    public long ClientErrors { get; set; }

    public long ServerErrors { get; set; }

    public double DurationMsSum { get; set; }

    /// <summary>The <see cref="LatencyHistogram"/> of every request in the period.</summary>
    public byte[] Histogram { get; set; } = [];
}

/// <summary>One endpoint (method + route template) in one period.</summary>
public sealed class UsageEndpointRollup
{
    public int BucketSeconds { get; set; }

    public long PeriodStart { get; set; }

    public string Method { get; set; } = string.Empty;

    public string Route { get; set; } = string.Empty;

    public long Requests { get; set; }

    public long ClientErrors { get; set; }

    public long ServerErrors { get; set; }

    public double DurationMsSum { get; set; }

    public long RequestBytes { get; set; }

    public long ResponseBytes { get; set; }

    public byte[] Histogram { get; set; } = [];
}

/// <summary>Counts per endpoint, status code and consumer in one period: who calls what, and which calls fail.</summary>
public sealed class UsageConsumerRollup
{
    public int BucketSeconds { get; set; }

    public long PeriodStart { get; set; }

    public string Method { get; set; } = string.Empty;

    public string Route { get; set; } = string.Empty;

    public int StatusCode { get; set; }

    /// <summary>A user id, <c>apikey:&lt;id&gt;</c>, or <c>anonymous</c>; never a credential.</summary>
    public string Consumer { get; set; } = string.Empty;

    public long Requests { get; set; }

    public double DurationMsSum { get; set; }
}

/// <summary>One sampled request. Only what the tracker captures: no path, query string, header or body.</summary>
public sealed class UsageRequest
{
    public long Id { get; set; }

    /// <summary>Unix milliseconds of the request's end.</summary>
    public long Timestamp { get; set; }

    public string Method { get; set; } = string.Empty;

    public string Route { get; set; } = string.Empty;

    public int StatusCode { get; set; }

    public double DurationMs { get; set; }

    public string Consumer { get; set; } = string.Empty;

    public long RequestBytes { get; set; }

    public long ResponseBytes { get; set; }
}
