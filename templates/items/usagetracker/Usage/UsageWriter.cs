namespace AuthApiTemplate.Usage;

/// <summary>
/// Moves what the tracker measured into the store, off the request path: every second it seals the minutes
/// that are over and writes them with the queued raw rows, in batches. While the store fails it keeps the
/// minutes (up to <see cref="UsageTracker.MaxPendingWindows"/>) and the queue (up to its capacity) and retries.
/// </summary>
public sealed partial class UsageWriter(
    UsageTracker tracker,
    IUsageStore store,
    ILogger<UsageWriter> logger) : BackgroundService
{
    public const int RawBatchSize = 1000;

    /// <summary>
    /// Enough for 50,000 sampled requests a second, while a backlog still leaves the minute rollups a turn
    /// every pass (a batch takes milliseconds with the prepared insert).
    /// </summary>
    public const int MaxRawBatchesPerPass = 50;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(5);

    private readonly List<UsageSample> _rawBatch = new(RawBatchSize);
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, tracker.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(final: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The last partial minute and queued rows are written on a graceful shutdown, within the host's timeout.
        tracker.CompleteRawRows();
        _retryAt = DateTimeOffset.MinValue;
        // A store that hangs must not hold up the shutdown for the host's whole timeout.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ShutdownFlushTimeout);
        try
        {
            await FlushAsync(final: true, bounded.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
            // Timed out, or the host is being stopped a second time after its services were disposed.
            LogShutdownFlushAbandoned(logger);
        }
    }

    /// <summary>
    /// One pass: seal finished minutes (every minute when <paramref name="final"/>), write them, write the
    /// queued raw rows. The timer calls it every second; tests and shutdown call it to write everything now.
    /// </summary>
    public async Task FlushAsync(bool final, CancellationToken cancellationToken)
    {
        await _flushLock.WaitAsync(cancellationToken);
        try
        {
            await FlushCoreAsync(final, cancellationToken);
        }
        finally
        {
            _flushLock.Release();
        }
    }

    private async Task FlushCoreAsync(bool final, CancellationToken cancellationToken)
    {
        var now = tracker.Time.GetUtcNow();
        var currentMinute = now.ToUnixTimeSeconds() / 60 * 60;

        await tracker.StoreGate.WaitAsync(cancellationToken);
        try
        {
            tracker.WindowsDropped(tracker.Aggregator.SealBefore(final ? long.MaxValue : currentMinute));
        }
        finally
        {
            tracker.StoreGate.Release();
        }

        if (now < _retryAt && !final)
        {
            return;
        }

        try
        {
            await WriteWindowsAsync(cancellationToken);
            await WriteRawRowsAsync(final, cancellationToken);
            tracker.StoreSucceeded();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            tracker.StoreFailed();
            var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(tracker.StoreFailures, 10))));
            _retryAt = now + backoff;
            LogStoreFailed(logger, tracker.StoreFailures, backoff.TotalSeconds, exception);
        }
    }

    private async Task WriteWindowsAsync(CancellationToken cancellationToken)
    {
        var pending = tracker.Aggregator.PendingSnapshot();
        if (pending.Count == 0)
        {
            return;
        }

        // Queries read memory and store under the same gate, so a minute is never counted twice or missed
        // while it moves from one to the other.
        await tracker.StoreGate.WaitAsync(cancellationToken);
        try
        {
            await store.WriteWindowsAsync(pending, cancellationToken);
            tracker.Aggregator.RemovePending(pending.ToHashSet());
        }
        finally
        {
            tracker.StoreGate.Release();
        }
    }

    private async Task WriteRawRowsAsync(bool final, CancellationToken cancellationToken)
    {
        for (var batches = 0; final || batches < MaxRawBatchesPerPass; batches++)
        {
            while (_rawBatch.Count < RawBatchSize && tracker.RawRows.TryRead(out var sample))
            {
                _rawBatch.Add(sample);
            }

            if (_rawBatch.Count == 0)
            {
                return;
            }

            // A failed batch stays in hand and is retried first; the queue behind it keeps its bound.
            await store.WriteRequestsAsync(_rawBatch, cancellationToken);
            _rawBatch.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The usage store failed ({Failures} in a row); retrying in {BackoffSeconds} s. Requests are unaffected; measurements wait in memory within their bounds.")]
    private static partial void LogStoreFailed(ILogger logger, long failures, double backoffSeconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown came before the usage tracker wrote its last measurements; they are lost.")]
    private static partial void LogShutdownFlushAbandoned(ILogger logger);
}
