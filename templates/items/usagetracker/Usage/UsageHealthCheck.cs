using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AuthApiTemplate.Usage;

/// <summary>
/// Degraded (never unhealthy: requests are served either way) while the usage store fails, the raw queue is
/// nearly full, or measurements were dropped in the last five minutes.
/// </summary>
internal sealed class UsageHealthCheck(UsageTracker tracker) : IHealthCheck
{
    private static readonly TimeSpan RecentDrop = TimeSpan.FromMinutes(5);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var queued = tracker.QueuedRawRows;
        var dropped = tracker.DroppedRawRows + tracker.Aggregator.DroppedRequests;
        var pending = tracker.Aggregator.PendingWindows;
        var data = new Dictionary<string, object>
        {
            ["queuedRawRows"] = queued,
            ["queueCapacity"] = tracker.QueueCapacity,
            ["pendingMinutes"] = pending,
            ["droppedRawRows"] = tracker.DroppedRawRows,
            ["droppedRequests"] = tracker.Aggregator.DroppedRequests,
            ["storeFailures"] = tracker.StoreFailures,
        };
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{queued}/{tracker.QueueCapacity} raw rows queued, {pending} minutes waiting for the store, {dropped} measurements dropped since start.");

        if (tracker.StoreFailures > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded("Degraded: the usage store is failing; requests are unaffected. " + summary, data: data));
        }

        if (queued >= tracker.QueueCapacity * 0.9)
        {
            return Task.FromResult(HealthCheckResult.Degraded("Degraded: the usage queue is nearly full. " + summary, data: data));
        }

        if (tracker.LastDropAt is { } lastDrop && tracker.Time.GetUtcNow() - lastDrop < RecentDrop)
        {
            return Task.FromResult(HealthCheckResult.Degraded("Degraded: usage measurements were dropped in the last 5 minutes. " + summary, data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy(summary, data));
    }
}
