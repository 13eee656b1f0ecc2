using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Usage;

/// <summary>
/// The request path's only entry point: counts go to memory, a sampled raw row goes to a bounded queue that
/// drops (and counts) instead of waiting. Nothing here touches the store.
/// </summary>
public sealed class UsageTracker
{
    /// <summary>Minutes of rollups kept in memory while the store is unreachable.</summary>
    public const int MaxPendingWindows = 120;

    private readonly Channel<UsageSample> _raw;
    private readonly UsageMetrics _metrics;
    private readonly double _samplingRate;
    private long _droppedRawRows;
    private long _storeFailures;
    private long _lastDropTimestampMs = -1;

    public UsageTracker(IOptions<UsageOptions> options, UsageMetrics metrics, TimeProvider time)
    {
        var settings = options.Value;
        Enabled = settings.Enabled;
        _samplingRate = settings.SamplingRate;
        _metrics = metrics;
        Time = time;
        QueueCapacity = settings.QueueCapacity;
        Aggregator = new UsageAggregator(settings.MaxSeriesPerMinute, MaxPendingWindows);
        _raw = Channel.CreateBounded<UsageSample>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            // Wait makes TryWrite report a full queue (DropWrite would hide it); nobody ever waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        metrics.ObserveQueue(() => _raw.Reader.Count);
    }

    public bool Enabled { get; }

    public TimeProvider Time { get; }

    public int QueueCapacity { get; }

    public UsageAggregator Aggregator { get; }

    /// <summary>
    /// Held by the writer while it moves minutes from memory to the store, and by queries that read both.
    /// Never disposed: hosted services can still be stopped after the container is gone, and a SemaphoreSlim
    /// whose wait handle is never asked for holds nothing to release.
    /// </summary>
    public SemaphoreSlim StoreGate { get; } = new(1, 1);

    public ChannelReader<UsageSample> RawRows => _raw.Reader;

    public int QueuedRawRows => _raw.Reader.Count;

    public long DroppedRawRows => Volatile.Read(ref _droppedRawRows);

    /// <summary>Consecutive failed writes; 0 once the store answers again.</summary>
    public long StoreFailures => Volatile.Read(ref _storeFailures);

    public DateTimeOffset? LastDropAt
    {
        get
        {
            var ms = Volatile.Read(ref _lastDropTimestampMs);
            return ms < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    public void Record(in UsageSample sample)
    {
        Aggregator.Record(sample);
        _metrics.RecordRequest(sample);

        if (_samplingRate >= 1.0 || (_samplingRate > 0.0 && Random.Shared.NextDouble() < _samplingRate))
        {
            if (!_raw.Writer.TryWrite(sample))
            {
                Interlocked.Increment(ref _droppedRawRows);
                Volatile.Write(ref _lastDropTimestampMs, sample.TimestampMs);
                _metrics.RecordDropped(1);
            }
        }
    }

    internal void StoreSucceeded() => Volatile.Write(ref _storeFailures, 0);

    internal void StoreFailed() => Interlocked.Increment(ref _storeFailures);

    internal void WindowsDropped(long requests)
    {
        if (requests > 0)
        {
            Volatile.Write(ref _lastDropTimestampMs, Time.GetUtcNow().ToUnixTimeMilliseconds());
            _metrics.RecordDropped(requests);
        }
    }

    internal void CompleteRawRows() => _raw.Writer.TryComplete();
}
