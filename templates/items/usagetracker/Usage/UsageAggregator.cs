using System.Collections.Concurrent;

namespace AuthApiTemplate.Usage;

/// <summary>What the tracker keeps of one request. Nothing here can hold a credential: no path, query, header or body.</summary>
public readonly record struct UsageSample(
    long TimestampMs,
    string Method,
    string Route,
    int StatusCode,
    double DurationMs,
    string Consumer,
    long RequestBytes,
    long ResponseBytes)
{
    public bool IsClientError => StatusCode is >= 400 and < 500;

    public bool IsServerError => StatusCode >= 500;
}

public readonly record struct UsageEndpointKey(string Method, string Route);

public readonly record struct UsageConsumerKey(string Method, string Route, int StatusCode, string Consumer);

/// <summary>Counters of one series, incremented by request threads with interlocked operations.</summary>
public sealed class UsageCounters(bool withHistogram)
{
    private long _requests;
    private long _clientErrors;
    private long _serverErrors;
    private long _durationMicroseconds;
    private long _requestBytes;
    private long _responseBytes;

    public ConcurrentLatencyHistogram? Histogram { get; } = withHistogram ? new ConcurrentLatencyHistogram() : null;

    public long Requests => Volatile.Read(ref _requests);

    public long ClientErrors => Volatile.Read(ref _clientErrors);

    public long ServerErrors => Volatile.Read(ref _serverErrors);

    public double DurationMsSum => Volatile.Read(ref _durationMicroseconds) / 1000.0;

    public long RequestBytes => Volatile.Read(ref _requestBytes);

    public long ResponseBytes => Volatile.Read(ref _responseBytes);

    public void Add(in UsageSample sample, int bucket)
    {
        Interlocked.Increment(ref _requests);
        if (sample.IsClientError)
        {
            Interlocked.Increment(ref _clientErrors);
        }
        else if (sample.IsServerError)
        {
            Interlocked.Increment(ref _serverErrors);
        }

        Interlocked.Add(ref _durationMicroseconds, (long)(sample.DurationMs * 1000.0));
        if (sample.RequestBytes != 0)
        {
            Interlocked.Add(ref _requestBytes, sample.RequestBytes);
        }

        if (sample.ResponseBytes != 0)
        {
            Interlocked.Add(ref _responseBytes, sample.ResponseBytes);
        }

        Histogram?.Record(bucket);
    }
}

/// <summary>
/// Everything measured in one minute. Request threads enter and leave it around each update; the writer
/// seals it and waits for the threads still inside, so a sealed window never changes again and a late
/// request simply opens a fresh window for the same minute (its rows are merged in the store).
/// </summary>
public sealed class UsageWindow(long minuteStart, int maxConsumerSeries)
{
    public const string OverflowConsumer = "(overflow)";
    public const string OverflowRoute = "(overflow)";

    private int _writers;
    private int _sealed;
    private int _consumerSeries;

    public long MinuteStart { get; } = minuteStart;

    public UsageCounters Total { get; } = new(withHistogram: true);

    public ConcurrentDictionary<UsageEndpointKey, UsageCounters> Endpoints { get; } = new();

    public ConcurrentDictionary<UsageConsumerKey, UsageCounters> Consumers { get; } = new();

    /// <summary>Requests counted in an overflow series because the window had reached its series cap.</summary>
    public long OverflowedRequests => Volatile.Read(ref _overflowed);

    private long _overflowed;

    internal bool TryEnter()
    {
        Interlocked.Increment(ref _writers);
        if (Volatile.Read(ref _sealed) == 0)
        {
            return true;
        }

        Interlocked.Decrement(ref _writers);
        return false;
    }

    internal void Exit() => Interlocked.Decrement(ref _writers);

    internal void Seal()
    {
        Interlocked.Exchange(ref _sealed, 1);
        var spin = new SpinWait();
        while (Volatile.Read(ref _writers) != 0)
        {
            spin.SpinOnce();
        }
    }

    internal void Add(in UsageSample sample, int bucket)
    {
        Total.Add(sample, bucket);
        Endpoints.GetOrAdd(new UsageEndpointKey(sample.Method, sample.Route), static _ => new UsageCounters(withHistogram: true))
            .Add(sample, bucket);

        var key = new UsageConsumerKey(sample.Method, sample.Route, sample.StatusCode, sample.Consumer);
        if (!Consumers.TryGetValue(key, out var counters))
        {
            if (Volatile.Read(ref _consumerSeries) >= maxConsumerSeries)
            {
                // Past the cap a request keeps its endpoint and status but loses its consumer; past twice the
                // cap (a flood of statuses or routes) it lands in a catch-all row per status class (400 for
                // every 4xx), so that counts and error counts stay exact.
                Interlocked.Increment(ref _overflowed);
                key = Volatile.Read(ref _consumerSeries) >= 2 * maxConsumerSeries
                    ? new UsageConsumerKey("*", OverflowRoute, sample.StatusCode / 100 * 100, OverflowConsumer)
                    : key with { Consumer = OverflowConsumer };
            }

            if (!Consumers.TryGetValue(key, out counters))
            {
                // Counted once per series that is really added (GetOrAdd's factory may run twice under contention).
                var added = new UsageCounters(withHistogram: false);
                counters = Consumers.GetOrAdd(key, added);
                if (ReferenceEquals(counters, added))
                {
                    Interlocked.Increment(ref _consumerSeries);
                }
            }
        }

        counters.Add(sample, bucket);
    }
}

/// <summary>The last 64 seconds, one slot per second, for <c>/usage/realtime</c> (never more than the current second behind).</summary>
public sealed class UsageRealtimeRing
{
    public const int Slots = 64;

    private readonly Slot[] _slots = Enumerable.Range(0, Slots).Select(_ => new Slot()).ToArray();

    public void Add(in UsageSample sample, int bucket)
    {
        var second = sample.TimestampMs / 1000;
        var slot = _slots[(int)(second & (Slots - 1))];
        if (Volatile.Read(ref slot.Second) != second)
        {
            lock (slot)
            {
                if (slot.Second != second)
                {
                    slot.Reset();
                    Volatile.Write(ref slot.Second, second);
                }
            }
        }

        Interlocked.Increment(ref slot.Requests);
        if (sample.IsClientError)
        {
            Interlocked.Increment(ref slot.ClientErrors);
        }
        else if (sample.IsServerError)
        {
            Interlocked.Increment(ref slot.ServerErrors);
        }

        slot.Histogram.Record(bucket);
    }

    /// <summary>Per-second points for the seconds in [<paramref name="fromSecond"/>, <paramref name="toSecond"/>].</summary>
    public IReadOnlyList<(long Second, long Requests, long ClientErrors, long ServerErrors, LatencyHistogram Histogram)> Read(long fromSecond, long toSecond)
    {
        var points = new List<(long, long, long, long, LatencyHistogram)>();
        for (var second = fromSecond; second <= toSecond; second++)
        {
            var slot = _slots[(int)(second & (Slots - 1))];
            var histogram = new LatencyHistogram();
            lock (slot)
            {
                if (slot.Second != second)
                {
                    points.Add((second, 0, 0, 0, histogram));
                    continue;
                }

                slot.Histogram.AddTo(histogram);
                points.Add((second, Volatile.Read(ref slot.Requests), Volatile.Read(ref slot.ClientErrors), Volatile.Read(ref slot.ServerErrors), histogram));
            }
        }

        return points;
    }

    private sealed class Slot
    {
        public long Second = -1;
        public long Requests;
        public long ClientErrors;
        public long ServerErrors;
        public readonly ConcurrentLatencyHistogram Histogram = new();

        public void Reset()
        {
            Requests = 0;
            ClientErrors = 0;
            ServerErrors = 0;
            Histogram.Reset();
        }
    }
}

/// <summary>
/// The in-memory side of the tracker: the open minute windows, the sealed ones the writer has not stored yet,
/// and the realtime ring. Request threads only touch memory here; the store is the writer's business.
/// </summary>
public sealed class UsageAggregator(int maxConsumerSeries, int maxPendingWindows)
{
    private readonly ConcurrentDictionary<long, UsageWindow> _open = new();
    private readonly List<UsageWindow> _pending = [];
    private readonly Lock _pendingLock = new();
    private UsageWindow? _current;
    private long _droppedRequests;

    public UsageRealtimeRing Realtime { get; } = new();

    /// <summary>Requests that were counted but whose window had to be discarded because the store stayed down too long.</summary>
    public long DroppedRequests => Volatile.Read(ref _droppedRequests);

    public int PendingWindows
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

    public void Record(in UsageSample sample)
    {
        var bucket = LatencyBuckets.IndexOf(sample.DurationMs);
        var minute = Math.DivRem(sample.TimestampMs, 60_000, out var remainder) - (remainder < 0 ? 1 : 0);
        var minuteStart = minute * 60;
        while (true)
        {
            var window = Volatile.Read(ref _current);
            if (window is null || window.MinuteStart != minuteStart)
            {
                window = _open.GetOrAdd(minuteStart, static (start, cap) => new UsageWindow(start, cap), maxConsumerSeries);
                if (_current is null || window.MinuteStart >= _current.MinuteStart)
                {
                    Volatile.Write(ref _current, window);
                }
            }

            if (window.TryEnter())
            {
                try
                {
                    window.Add(sample, bucket);
                }
                finally
                {
                    window.Exit();
                }

                break;
            }

            // Sealed under our feet: it has left _open, so the next GetOrAdd opens a fresh window.
            Interlocked.CompareExchange(ref _current, null, window);
        }

        Realtime.Add(sample, bucket);
    }

    /// <summary>Seals every window that started before <paramref name="beforeMinuteStart"/> and queues it for the writer.</summary>
    /// <returns>Requests whose windows were discarded because too many were waiting for the store.</returns>
    public long SealBefore(long beforeMinuteStart)
    {
        long dropped = 0;
        foreach (var start in _open.Keys)
        {
            if (start < beforeMinuteStart && _open.TryRemove(start, out var window))
            {
                Interlocked.CompareExchange(ref _current, null, window);
                window.Seal();
                lock (_pendingLock)
                {
                    _pending.Add(window);
                    while (_pending.Count > maxPendingWindows)
                    {
                        dropped += _pending[0].Total.Requests;
                        Interlocked.Add(ref _droppedRequests, _pending[0].Total.Requests);
                        _pending.RemoveAt(0);
                    }
                }
            }
        }

        return dropped;
    }

    public IReadOnlyList<UsageWindow> PendingSnapshot()
    {
        lock (_pendingLock)
        {
            return [.. _pending];
        }
    }

    public void RemovePending(IReadOnlyCollection<UsageWindow> stored)
    {
        lock (_pendingLock)
        {
            _pending.RemoveAll(stored.Contains);
        }
    }

    /// <summary>Windows not in the store yet (sealed and open) whose minute lies in [from, to).</summary>
    public IReadOnlyList<UsageWindow> UnstoredWindows(long fromSecond, long toSecond)
    {
        List<UsageWindow> windows;
        lock (_pendingLock)
        {
            windows = [.. _pending];
        }

        windows.AddRange(_open.Values);
        return windows.Where(w => w.MinuteStart >= fromSecond && w.MinuteStart < toSecond).ToList();
    }
}
