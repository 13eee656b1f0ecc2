using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Usage;

public sealed class UsageOptions
{
    public const string SectionName = "Usage";

    // Set by the template's --sampling-rate and --retention-days.
    public const double DefaultSamplingRate = 1.0/*usage-sampling-rate*/;
    public const int DefaultRetentionDays = 30/*usage-retention-days*/;

    /// <summary>Off: requests are neither measured nor stored; the analytics routes still answer from what is stored.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Share of requests whose raw row is stored. Counts and percentiles always cover every request.</summary>
    [Range(0.0, 1.0)]
    public double SamplingRate { get; set; } = DefaultSamplingRate;

    /// <summary>Raw rows older than this many days are deleted by the cleanup job.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = DefaultRetentionDays;

    /// <summary>
    /// Raw rows waiting for the background writer. When the store is down or slow the queue fills up and
    /// further rows are dropped (and counted) instead of holding up requests.
    /// </summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Hourly rollups (the aggregated counts and latency histograms) are kept this many days.</summary>
    [Range(1, 3650)]
    public int RollupRetentionDays { get; set; } = 400;

    /// <summary>
    /// Distinct (method, route, status, consumer) series per minute. Beyond it requests are still counted,
    /// in one overflow series, so a flood of consumers cannot exhaust memory or the store.
    /// </summary>
    [Range(10, 1_000_000)]
    public int MaxSeriesPerMinute { get; set; } = 5_000;
}

[OptionsValidator]
public sealed partial class UsageOptionsValidator : IValidateOptions<UsageOptions>;
